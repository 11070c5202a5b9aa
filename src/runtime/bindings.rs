//! The Worker's `env` (settings and bindings) and Durable Objects: the namespaces the Worker
//! calls, and the state and storage a Durable Object of ours is given.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use std::future::Future;

use wasm_bindgen_futures::future_to_promise;

use super::fetch::{outgoing_request, request_text, response_text};

#[wasm_bindgen]
extern "C" {
    /// The Worker's `env`: settings (strings: `[vars]` and secrets) and bindings.
    #[derive(Clone)]
    pub type Env;

    /// A Durable Object namespace binding (`[[durable_objects.bindings]]`).
    #[derive(Clone)]
    pub type ObjectNamespace;

    #[wasm_bindgen(method, catch, js_name = getByName)]
    fn get_by_name(this: &ObjectNamespace, name: &str) -> Result<ObjectStub, JsValue>;

    /// A Durable Object instance, as seen from the Worker.
    type ObjectStub;

    #[wasm_bindgen(method, catch)]
    fn fetch(this: &ObjectStub, request: &web_sys::Request) -> Result<Promise, JsValue>;

    /// What the runtime gives one of our Durable Objects: its storage.
    #[derive(Clone)]
    pub type ObjectState;

    /// The instance's storage.
    #[wasm_bindgen(method, getter)]
    pub fn storage(this: &ObjectState) -> Storage;

    /// A Durable Object's transactional storage (values are structured-cloned).
    pub type Storage;

    #[wasm_bindgen(method, catch, js_name = get)]
    fn get_raw(this: &Storage, key: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = put)]
    fn put_raw(this: &Storage, key: &str, value: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = list)]
    fn list_raw(this: &Storage, options: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = delete)]
    fn delete_raw(this: &Storage, keys: &Array) -> Result<Promise, JsValue>;
}

impl Env {
    /// A string setting (a `[vars]` entry or a secret); `None` when absent or not a string.
    pub fn string(&self, name: &str) -> Option<String> {
        Reflect::get(self, &JsValue::from_str(name))
            .ok()?
            .as_string()
    }

    /// The Durable Object namespace bound as `name`, if there is one.
    pub fn durable_object(&self, name: &str) -> Option<ObjectNamespace> {
        let binding = Reflect::get(self, &JsValue::from_str(name)).ok()?;
        let get_by_name = Reflect::get(&binding, &JsValue::from_str("getByName")).ok()?;
        get_by_name.is_function().then(|| binding.unchecked_into())
    }
}

impl ObjectNamespace {
    /// POSTs `body` to the instance named `name` (`url` only labels the request) and returns
    /// the reply's status and text.
    pub async fn call(&self, name: &str, url: &str, body: &str) -> Result<(u16, String), JsValue> {
        let stub = self.get_by_name(name)?;
        let request = outgoing_request("POST", url, None, Some(body), false, None)?;
        let response: web_sys::Response =
            JsFuture::from(stub.fetch(&request)?).await?.dyn_into()?;
        let text = response_text(&response).await?;
        Ok((response.status(), text))
    }
}

impl Storage {
    /// The value stored under `key` (`undefined` when there is none).
    pub async fn get(&self, key: &str) -> Result<JsValue, JsValue> {
        JsFuture::from(self.get_raw(key)?).await
    }

    /// Stores `value` under `key`.
    pub async fn put(&self, key: &str, value: &JsValue) -> Result<(), JsValue> {
        JsFuture::from(self.put_raw(key, value)?).await.map(drop)
    }

    /// The entries whose keys start with `prefix`, from `start` on when given, in key order,
    /// as `[key, value]` pairs.
    pub async fn list(
        &self,
        prefix: &str,
        start: Option<&str>,
    ) -> Result<Vec<(String, JsValue)>, JsValue> {
        let options = js_sys::Object::new();
        Reflect::set(&options, &"prefix".into(), &prefix.into())?;
        if let Some(start) = start {
            Reflect::set(&options, &"start".into(), &start.into())?;
        }
        let map: js_sys::Map = JsFuture::from(self.list_raw(&options)?).await?.dyn_into()?;
        let mut entries = Vec::new();
        map.for_each(&mut |value, key| {
            if let Some(key) = key.as_string() {
                entries.push((key, value));
            }
        });
        Ok(entries)
    }

    /// Deletes `keys`.
    pub async fn delete(&self, keys: &[String]) -> Result<(), JsValue> {
        let keys: Array = keys.iter().map(|key| JsValue::from_str(key)).collect();
        JsFuture::from(self.delete_raw(&keys)?).await.map(drop)
    }
}

/// Serves one message to a Durable Object of ours: the request's text goes to `answer`, whose
/// reply goes back as text (200), or, when `answer` finds the message malformed (`None`), 400.
pub fn serve_message<Reply>(
    request: web_sys::Request,
    answer: impl FnOnce(String) -> Reply + 'static,
) -> Promise
where
    Reply: Future<Output = Result<Option<String>, JsValue>> + 'static,
{
    future_to_promise(async move {
        let text = request_text(&request).await?;
        match answer(text).await? {
            Some(reply) => object_reply(200, &reply),
            None => object_reply(400, "malformed message"),
        }
    })
}

fn object_reply(status: u16, body: &str) -> Result<JsValue, JsValue> {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    web_sys::Response::new_with_opt_str_and_init(Some(body), &init).map(JsValue::from)
}
