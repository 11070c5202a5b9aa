//! Timers: a future that resolves after a delay, and clears its timer if dropped first (a
//! deadline that lost its race must not keep a timer pending in the request).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Resolves after its delay (see [`sleep`]).
pub struct Sleep {
    timer: JsValue,
    fired: JsFuture,
}

/// A future that resolves after `delay` (`setTimeout`).
pub fn sleep(delay: Duration) -> Sleep {
    let mut timer = JsValue::UNDEFINED;
    let fired = Promise::new(&mut |resolve, _reject| {
        timer = set_timeout(&resolve, delay.as_millis() as f64);
    });
    Sleep {
        timer,
        fired: JsFuture::from(fired),
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.fired).poll(cx).map(|_| ())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
    }
}
