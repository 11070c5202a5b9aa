//! Outgoing requests: built on the runtime's `RequestInit` and sent with the global `fetch`.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Request, RequestInit, RequestRedirect, Response};

#[wasm_bindgen]
extern "C" {
    /// The runtime's global `fetch` (it rejects rather than throws).
    #[wasm_bindgen(js_name = fetch)]
    pub fn global_fetch(request: &Request) -> Promise;
}

/// An outgoing request (for `fetch` or a Durable Object stub); `signal` aborts it.
pub fn outgoing_request(
    method: &str,
    url: &str,
    headers: Option<&Headers>,
    body: Option<&str>,
    manual_redirect: bool,
    signal: Option<&AbortSignal>,
) -> Result<Request, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(headers) = headers {
        init.set_headers(headers);
    }
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    if manual_redirect {
        init.set_redirect(RequestRedirect::Manual);
    }
    if signal.is_some() {
        init.set_signal(signal);
    }
    Request::new_with_str_and_init(url, &init)
}

/// Sends `request` with the global `fetch`.
pub async fn send(request: &Request) -> Result<Response, JsValue> {
    JsFuture::from(global_fetch(request)).await?.dyn_into()
}

/// A response's body as text.
pub async fn response_text(response: &Response) -> Result<String, JsValue> {
    let text = JsFuture::from(response.text()?).await?;
    text.as_string()
        .ok_or_else(|| JsValue::from_str("the body is not text"))
}

/// A request's body as text.
pub async fn request_text(request: &Request) -> Result<String, JsValue> {
    let text = JsFuture::from(request.text()?).await?;
    text.as_string()
        .ok_or_else(|| JsValue::from_str("the body is not text"))
}

/// A response's body as bytes.
pub async fn response_bytes(response: &Response) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(response.array_buffer()?).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

#[wasm_bindgen]
extern "C" {
    /// A body stream's reader (`ReadableStreamDefaultReader`).
    pub type BodyReader;

    #[wasm_bindgen(method, catch, js_name = read)]
    fn read_raw(this: &BodyReader) -> Result<Promise, JsValue>;
}

impl BodyReader {
    /// A reader of `request`'s body, `None` when it has none.
    pub fn of(request: &Request) -> Option<Self> {
        request
            .body()
            .map(|stream| stream.get_reader().unchecked_into())
    }

    /// The next chunk, `None` at the end.
    pub async fn next_chunk(&self) -> Result<Option<Vec<u8>>, JsValue> {
        let result = JsFuture::from(self.read_raw()?).await?;
        if js_sys::Reflect::get(&result, &"done".into())?.is_truthy() {
            return Ok(None);
        }
        let value = js_sys::Reflect::get(&result, &"value".into())?;
        Ok(Some(Uint8Array::new(&value).to_vec()))
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Headers`, for its `keys()` (which web-sys does not bind).
    type HeaderKeys;

    #[wasm_bindgen(method)]
    fn keys(this: &HeaderKeys) -> js_sys::Iterator;
}

/// The names in `headers` (lowercase, as the runtime keeps them).
pub fn header_names(headers: &Headers) -> Result<Vec<String>, JsValue> {
    headers
        .unchecked_ref::<HeaderKeys>()
        .keys()
        .into_iter()
        .map(|name| name.map(|name| name.as_string().unwrap_or_default()))
        .collect()
}
