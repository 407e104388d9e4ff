//! Hands decoded values (JSON text) to JavaScript. A large text that is all
//! ASCII, the usual case for a big list, becomes an external one-byte string:
//! V8 reads the Rust buffer in place instead of decoding and copying it onto
//! its heap (a 4 MB list cost the JS thread 2–3 ms that way, see
//! benchmark/README.md), and frees it through the finalizer when the string
//! is collected, as it would any string. Smaller or non-ASCII texts are
//! copied as usual. Bytes (a download's chunks) and the parts of an event
//! batch's tape (`mix_core::tape`) are handed over the same way, as
//! external `Buffer`s and `Int32Array`s, or copied below the same size.

use std::ffi::{c_char, c_void};
use std::ptr;
use std::sync::OnceLock;

use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::{check_status, sys, Result};

/// Texts shorter than this are copied: the external string's bookkeeping
/// outweighs a small copy.
const EXTERNAL_FROM_BYTES: usize = 64 * 1024;

/// `node_api_create_external_string_latin1`, exported by Node since 20.4.0
/// (experimental there, Node-API 10 later).
type CreateExternalLatin1 = unsafe extern "C" fn(
    env: sys::napi_env,
    text: *const c_char,
    length: isize,
    finalize: sys::napi_finalize,
    hint: *mut c_void,
    result: *mut sys::napi_value,
    copied: *mut bool,
) -> sys::napi_status;

/// The running Node's external-string function, if it has one. Looked up
/// at run time, not linked: the addon is linked with immediate binding, so
/// naming a function an older Node lacks would stop the addon from loading
/// at all.
fn create_external_latin1() -> Option<CreateExternalLatin1> {
    static FUNCTION: OnceLock<Option<CreateExternalLatin1>> = OnceLock::new();
    *FUNCTION.get_or_init(|| {
        // SAFETY: dlsym with a NUL-terminated name; RTLD_DEFAULT searches
        // the symbols already loaded (Node's own among them).
        let symbol = unsafe {
            libc::dlsym(
                libc::RTLD_DEFAULT,
                c"node_api_create_external_string_latin1".as_ptr(),
            )
        };
        // SAFETY: a non-null address of this exported function, whose C
        // signature is `CreateExternalLatin1` (node_api.h).
        (!symbol.is_null())
            .then(|| unsafe { std::mem::transmute::<*mut c_void, CreateExternalLatin1>(symbol) })
    })
}

/// Frees a slice of `T` handed to V8 by [`hand_over`]; `hint` is its
/// length in elements.
///
/// # Safety
/// `data` and `hint` must be the pointer and length of a boxed `[T]`
/// leaked by [`hand_over`], and this must run at most once for it (V8
/// calls it once).
unsafe extern "C" fn free_slice<T>(env: sys::napi_env, data: *mut c_void, hint: *mut c_void) {
    let len = hint as usize;
    // SAFETY: `data` and `len` are the pointer and length of the boxed
    // slice leaked in `hand_over`, and V8 calls this exactly once.
    drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(data.cast::<T>(), len)) });
    let mut total = 0;
    // SAFETY: allowed in a finalizer; undoes the count made in `hand_over`.
    unsafe { sys::napi_adjust_external_memory(env, -((len * size_of::<T>()) as i64), &mut total) };
}

/// One text as a JS string.
///
/// # Safety
/// On the JS thread of `env`, inside a handle scope.
unsafe fn string(env: sys::napi_env, text: String) -> Result<sys::napi_value> {
    let create = match create_external_latin1() {
        Some(create) if text.len() >= EXTERNAL_FROM_BYTES && text.is_ascii() => create,
        // SAFETY: the caller's contract.
        _ => return unsafe { String::to_napi_value(env, text) },
    };
    let mut copied = false;
    // SAFETY: the caller's contract; `hand_over`'s contract for `create`.
    unsafe {
        hand_over(env, text.into_bytes(), |data, len, finalize, result| {
            create(
                env,
                data.cast(),
                len as isize,
                finalize,
                len as *mut c_void,
                result,
                &mut copied,
            )
        })
    }
}

/// Hands `items` to V8 without a copy: `create(data, len, finalize,
/// result)` makes the JS value over them with `finalize` as its finalizer
/// (hint: the length in elements). V8 is told of the memory it now keeps
/// alive, so that it collects such values as soon as their size warrants,
/// not when its own heap happens to need it (a stream's batches or a
/// download's chunks, one after another, otherwise held tens of MB for
/// nothing); the finalizer takes the count back.
///
/// # Safety
/// On the JS thread of `env`; `create` must register `finalize` with the
/// length as its hint, or free nothing on failure.
unsafe fn hand_over<T>(
    env: sys::napi_env,
    items: Vec<T>,
    create: impl FnOnce(*mut T, usize, sys::napi_finalize, &mut sys::napi_value) -> sys::napi_status,
) -> Result<sys::napi_value> {
    let items: Box<[T]> = items.into_boxed_slice();
    let len = items.len();
    let data = Box::into_raw(items).cast::<T>();
    let mut result = ptr::null_mut();
    let status = create(data, len, Some(free_slice::<T>), &mut result);
    let mut total = 0;
    // SAFETY: the caller's contract.
    unsafe { sys::napi_adjust_external_memory(env, (len * size_of::<T>()) as i64, &mut total) };
    if status != sys::Status::napi_ok {
        // V8 did not take the items: free them here.
        // SAFETY: as in `free_slice`; the finalizer will not run.
        unsafe { free_slice::<T>(env, data.cast(), len as *mut c_void) };
        check_status!(status)?;
    }
    Ok(result)
}

/// A plain value handed to `settle` (src/binding/completions.rs): a call's
/// JSON text, or a batch of an event stream's events.
pub enum Delivered {
    Text(String),
    Events(Box<EventBatch>),
}

/// A batch of events as `mix_core::tape` writes it, reaching JS as
/// `[tape: Int32Array, narrow: Buffer, wide: Buffer, skipped: string[] | null]`.
/// A buffer of at least [`EXTERNAL_FROM_BYTES`] is handed over without a
/// copy; a smaller one (a lone event's) is copied, which costs less than
/// the finalizer an external buffer needs, and the lone event is there
/// sooner.
pub struct EventBatch {
    pub tape: Vec<i32>,
    pub narrow: Vec<u8>,
    pub wide: Vec<u16>,
    /// The types of the events skipped since the last batch, when the
    /// client logs.
    pub skipped: Option<Vec<String>>,
}

impl TypeName for Delivered {
    fn type_name() -> &'static str {
        "string | [Int32Array, Buffer, Buffer, string[] | null]"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Delivered {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        // SAFETY (all blocks): the caller's contract (JS thread of `env`,
        // in a handle scope); every value passed to napi is made here.
        let batch = match value {
            Delivered::Text(text) => return unsafe { string(env, text) },
            Delivered::Events(batch) => *batch,
        };
        let EventBatch {
            tape,
            narrow,
            wide,
            skipped,
        } = batch;
        let mut array = ptr::null_mut();
        check_status!(unsafe { sys::napi_create_array_with_length(env, 4, &mut array) })?;
        let items = [
            unsafe { int32_array(env, tape) }?,
            unsafe { buffer(env, narrow) }?,
            unsafe { buffer(env, wide) }?,
            unsafe { ToNapiValue::to_napi_value(env, skipped) }?,
        ];
        for (i, item) in items.into_iter().enumerate() {
            check_status!(unsafe { sys::napi_set_element(env, array, i as u32, item) })?;
        }
        Ok(array)
    }
}

/// The values as a JS array.
///
/// # Safety
/// On the JS thread of `env`, inside a handle scope.
pub unsafe fn value_array(env: sys::napi_env, values: Vec<Delivered>) -> Result<sys::napi_value> {
    let mut array = ptr::null_mut();
    // SAFETY (all blocks): the caller's contract.
    check_status!(unsafe { sys::napi_create_array_with_length(env, values.len(), &mut array) })?;
    for (i, value) in values.into_iter().enumerate() {
        let value = unsafe { ToNapiValue::to_napi_value(env, value) }?;
        check_status!(unsafe { sys::napi_set_element(env, array, i as u32, value) })?;
    }
    Ok(array)
}

/// Bytes handed to V8 as a `Buffer` (see [`buffer`]): over the Rust
/// allocation, counted as external memory (see [`hand_over`]; uncounted, a
/// 1 GiB download's RSS grew by some 60 MB for nothing), or copied when
/// small.
pub struct Bytes(pub Vec<u8>);

/// A `Buffer` of the bytes of `items`: external when large, a copy when
/// below [`EXTERNAL_FROM_BYTES`].
///
/// # Safety
/// On the JS thread of `env`.
unsafe fn buffer<T: Copy>(env: sys::napi_env, items: Vec<T>) -> Result<sys::napi_value> {
    let mut result = ptr::null_mut();
    let bytes = items.len() * size_of::<T>();
    if bytes < EXTERNAL_FROM_BYTES {
        let mut data = ptr::null_mut();
        // SAFETY: the caller's contract; `items` holds `bytes` readable
        // bytes (`T` is plain data), which napi copies.
        check_status!(unsafe {
            sys::napi_create_buffer_copy(env, bytes, items.as_ptr().cast(), &mut data, &mut result)
        })?;
        return Ok(result);
    }
    // SAFETY: the caller's contract; `free_slice` frees the items.
    unsafe {
        hand_over(env, items, |data, len, finalize, result| {
            sys::napi_create_external_buffer(
                env,
                len * size_of::<T>(),
                data.cast(),
                finalize,
                len as *mut c_void,
                result,
            )
        })
    }
}

impl TypeName for Bytes {
    fn type_name() -> &'static str {
        "Buffer"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Bytes {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> Result<sys::napi_value> {
        // SAFETY: the caller's contract (JS thread of `env`).
        unsafe { buffer(env, value.0) }
    }
}

/// An `Int32Array` of `words`: over the Rust allocation when large, a copy
/// when below [`EXTERNAL_FROM_BYTES`].
///
/// # Safety
/// On the JS thread of `env`.
unsafe fn int32_array(env: sys::napi_env, words: Vec<i32>) -> Result<sys::napi_value> {
    let count = words.len();
    let bytes = count * size_of::<i32>();
    let mut array = ptr::null_mut();
    if bytes < EXTERNAL_FROM_BYTES {
        let mut data = ptr::null_mut();
        // SAFETY: the caller's contract.
        check_status!(unsafe { sys::napi_create_arraybuffer(env, bytes, &mut data, &mut array) })?;
        if bytes > 0 {
            // SAFETY: `data` is the new buffer's `bytes` writable bytes,
            // `words` as many readable ones; a byte copy needs no
            // alignment, and an `Int32Array` reads native-endian words.
            unsafe {
                ptr::copy_nonoverlapping(words.as_ptr().cast::<u8>(), data.cast::<u8>(), bytes)
            };
        }
    } else {
        // SAFETY: the caller's contract; `free_slice` frees the words.
        array = unsafe {
            hand_over(env, words, |data, len, finalize, result| {
                sys::napi_create_external_arraybuffer(
                    env,
                    data.cast(),
                    len * size_of::<i32>(),
                    finalize,
                    len as *mut c_void,
                    result,
                )
            })
        }?;
    }
    let mut result = ptr::null_mut();
    // SAFETY: the caller's contract; `array` holds `count` words.
    check_status!(unsafe {
        sys::napi_create_typedarray(
            env,
            sys::TypedarrayType::int32_array,
            count,
            array,
            0,
            &mut result,
        )
    })?;
    Ok(result)
}
