//! The napi link setup, and the build profile the addon records (see
//! `build_profile` in src/binding/helpers.rs): cargo tells a build script
//! only "debug" or "release", so the profile is the name of the folder the
//! build writes to (`target/<profile>/…`, or `target/<triple>/<profile>/…`).
fn main() {
    napi_build::setup();
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let parts: Vec<&str> = out.split(std::path::MAIN_SEPARATOR).collect();
    let profile = parts
        .iter()
        .position(|part| *part == "build")
        .and_then(|at| at.checked_sub(1))
        .map_or("unknown", |at| parts[at]);
    println!("cargo:rustc-env=MIX_BUILD_PROFILE={profile}");
    println!("cargo:rerun-if-changed=build.rs");
}
