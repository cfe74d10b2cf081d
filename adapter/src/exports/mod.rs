//! The exported preview1 functions, one file per family. Each checks its
//! arguments in the order wasmtime's bindings and host do, so that a call
//! with several things wrong fails the same way wrapped or not.

mod fd;
mod io;
mod lifecycle;
mod path;
mod poll;
mod readdir;
mod sock;
mod stat;
