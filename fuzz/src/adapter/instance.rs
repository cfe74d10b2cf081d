//! One adapter instance at a time, and calls into it that may trap.
//!
//! In wasm a trap ends the instance on the spot: nothing unwinds, nothing
//! after it runs. The adapter's exports are `extern "C"` functions, and a
//! panic can not unwind out of one (the process aborts), so on the host
//! a trap can not be a panic caught around the call. Instead every call
//! runs on a stack of its own (a `ucontext`): the adapter's stop handler
//! ([`on_stop`]) records why and switches straight back to the target's
//! stack, abandoning the call's frames. That is the trap's semantics, not
//! an approximation of it: the abandoned frames, and the state they left
//! halfway, are never touched again; the instance is forgotten
//! ([`reset`]) and its memory dropped with the arena.
//!
//! Anything else that goes wrong in a call (a panic in the adapter or in
//! strata-vfs, an overflow, a failed assertion) aborts the process: a
//! crash for libFuzzer, which is what a bug should be.

use std::cell::UnsafeCell;
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::ptr::{null, null_mut};

use strata_adapter::guest::fuzzing::{self, Stop};

use super::arena;
use super::fiber::{self, Stack};

/// How a call into the adapter ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The export returned (its errno, or 0 for one without a result).
    Returned(i32),
    /// The guest stopped: the instance is dead.
    Stopped(Stop),
}

/// The guest call stack's size, and the unmapped guard page below it (an
/// overflow faults instead of writing over other memory).
const STACK: usize = 8 << 20;
const GUARD: usize = 4096;

struct Contexts {
    /// Where a call returns to, or a stop switches back to.
    target: UnsafeCell<MaybeUninit<libc::ucontext_t>>,
    call: UnsafeCell<MaybeUninit<libc::ucontext_t>>,
    /// The guest stack's lowest usable byte, once mapped.
    stack: UnsafeCell<*mut u8>,
    /// The call to make, for `entry`.
    job: UnsafeCell<Option<*mut dyn FnMut() -> i32>>,
    outcome: UnsafeCell<Option<Outcome>>,
    /// Whether a call is on the guest stack (a stop outside one is a bug
    /// of the target's).
    running: UnsafeCell<bool>,
    /// The target's stack as ASan knows it, for switching back.
    target_stack: UnsafeCell<Stack>,
    target_fake: UnsafeCell<*mut c_void>,
}

// SAFETY: libFuzzer runs the target on one thread; every field is used by
// one side of a context switch at a time.
unsafe impl Sync for Contexts {}

static CONTEXTS: Contexts = Contexts {
    target: UnsafeCell::new(MaybeUninit::uninit()),
    call: UnsafeCell::new(MaybeUninit::uninit()),
    stack: UnsafeCell::new(null_mut()),
    job: UnsafeCell::new(None),
    outcome: UnsafeCell::new(None),
    running: UnsafeCell::new(false),
    target_stack: UnsafeCell::new(Stack { bottom: null(), size: 0 }),
    target_fake: UnsafeCell::new(null_mut()),
};

/// Starts a new instance on `image`: the last one's state and heap are
/// forgotten (the guest's memory is the caller's to set).
pub fn reset(image: Option<&'static [u8]>) {
    fuzzing::set_stop_handler(on_stop);
    fuzzing::reset_for_fuzzing();
    arena::discard();
    fuzzing::set_image(image);
}

/// Runs `call` (one export call) on the guest stack.
pub fn call(mut call: impl FnMut() -> i32) -> Outcome {
    let job: &mut dyn FnMut() -> i32 = &mut call;
    // SAFETY: `job` outlives the switch below, after which nothing reads
    // the pointer (`entry` takes it out first). The lifetime is erased only
    // to store it.
    let job: *mut (dyn FnMut() -> i32 + 'static) = unsafe { std::mem::transmute(job) };
    unsafe {
        *CONTEXTS.job.get() = Some(job);
        *CONTEXTS.outcome.get() = None;
        let target = (*CONTEXTS.target.get()).as_mut_ptr();
        let guest = (*CONTEXTS.call.get()).as_mut_ptr();
        assert_eq!(libc::getcontext(guest), 0, "getcontext");
        (*guest).uc_stack.ss_sp = guest_stack().cast();
        (*guest).uc_stack.ss_size = STACK;
        (*guest).uc_link = target;
        libc::makecontext(guest, entry, 0);
        *CONTEXTS.running.get() = true;
        arena::enter();
        fiber::start(Some(&mut *CONTEXTS.target_fake.get()), Stack { bottom: guest_stack().cast(), size: STACK });
        // Comes back when `entry` returns (uc_link) or `on_stop` switches.
        assert_eq!(libc::swapcontext(target, guest), 0, "swapcontext");
        fiber::finish(*CONTEXTS.target_fake.get());
        arena::leave();
        *CONTEXTS.running.get() = false;
        (*CONTEXTS.outcome.get()).take().expect("a call ends with an outcome")
    }
}

/// The guest stack's first call frame.
extern "C" fn entry() {
    // SAFETY: set by `call` just before switching here.
    unsafe { *CONTEXTS.target_stack.get() = fiber::finish(null_mut()) };
    let job = unsafe { (*CONTEXTS.job.get()).take().expect("a job") };
    let result = unsafe { (*job)() };
    unsafe {
        *CONTEXTS.outcome.get() = Some(Outcome::Returned(result));
        // Returning switches to `uc_link`, the target, for good.
        fiber::start(None, *CONTEXTS.target_stack.get());
    }
}

/// The adapter's stop handler: back to `call`, abandoning the guest stack.
fn on_stop(why: Stop) -> ! {
    // SAFETY: only ever reached inside a call, so `target` holds the
    // context `call` saved; setcontext returns only on failure.
    unsafe {
        assert!(*CONTEXTS.running.get(), "the guest stopped ({why:?}) outside a call");
        *CONTEXTS.outcome.get() = Some(Outcome::Stopped(why));
        fiber::start(None, *CONTEXTS.target_stack.get());
        libc::setcontext((*CONTEXTS.target.get()).as_ptr());
    }
    std::process::abort()
}

/// The guest stack, mapped on first use with a guard page under it.
fn guest_stack() -> *mut u8 {
    // SAFETY: one thread; a fresh private mapping.
    unsafe {
        let slot = CONTEXTS.stack.get();
        if (*slot).is_null() {
            let base = libc::mmap(
                null_mut(),
                STACK + GUARD,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            );
            assert_ne!(base, libc::MAP_FAILED, "mapping the guest stack");
            assert_eq!(libc::mprotect(base, GUARD, libc::PROT_NONE), 0, "the guard page");
            *slot = base.cast::<u8>().add(GUARD);
        }
        *slot
    }
}
