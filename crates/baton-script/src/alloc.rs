//! The script heap's allocator: QuickJS's memory through Rust's allocator, with a hard limit
//! that, when hit, raises a flag. QuickJS sometimes reports exhaustion as a bare `null`
//! rejection; the flag lets the run say "out of memory" with certainty instead of guessing.

use rquickjs::allocator::{Allocator, RustAllocator};
use std::cell::Cell;
use std::rc::Rc;

pub struct LimitedAllocator {
    limit: usize,
    used: usize,
    exhausted: Rc<Cell<bool>>,
}

impl LimitedAllocator {
    pub fn new(limit: usize, exhausted: Rc<Cell<bool>>) -> Self {
        LimitedAllocator {
            limit,
            used: 0,
            exhausted,
        }
    }

    fn admit(&mut self, size: usize) -> bool {
        if self.used.saturating_add(size) > self.limit {
            self.exhausted.set(true);
            return false;
        }
        true
    }
}

// SAFETY: every call is forwarded to `RustAllocator`; we only refuse some and keep a count.
unsafe impl Allocator for LimitedAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !self.admit(size) {
            return std::ptr::null_mut();
        }
        let ptr = RustAllocator.alloc(size);
        if !ptr.is_null() {
            // SAFETY: `ptr` was just returned by RustAllocator.
            self.used += unsafe { RustAllocator::usable_size(ptr) };
        }
        ptr
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        let Some(total) = count.checked_mul(size) else {
            return std::ptr::null_mut();
        };
        if !self.admit(total) {
            return std::ptr::null_mut();
        }
        let ptr = RustAllocator.calloc(count, size);
        if !ptr.is_null() {
            // SAFETY: `ptr` was just returned by RustAllocator.
            self.used += unsafe { RustAllocator::usable_size(ptr) };
        }
        ptr
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        // SAFETY: QuickJS hands back only pointers this allocator returned.
        unsafe {
            self.used -= RustAllocator::usable_size(ptr);
            RustAllocator.dealloc(ptr);
        }
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        if ptr.is_null() {
            return self.alloc(new_size);
        }
        // SAFETY: QuickJS hands back only pointers this allocator returned.
        unsafe {
            let old = RustAllocator::usable_size(ptr);
            if new_size > old && !self.admit(new_size - old) {
                return std::ptr::null_mut();
            }
            let new = RustAllocator.realloc(ptr, new_size);
            if !new.is_null() {
                self.used = self.used - old + RustAllocator::usable_size(new);
            }
            new
        }
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        // SAFETY: forwarded unchanged.
        unsafe { RustAllocator::usable_size(ptr) }
    }
}
