//! SQLite's own memory — its page cache's pages, a statement's bound values, its sorter's runs — comes from
//! mimalloc, as the program's does, instead of glibc's malloc. A generated batch binds hundreds of thousands of
//! values and changes tens of thousands of pages: glibc's allocator and the frees that coalesce its chunks were a
//! tenth of a bulk load's time (`perf`, stop 48), nearly all of it on SQLite's side. SQLite's own count of the
//! memory it holds goes too: it takes a lock at every allocation, and nothing here reads the count.
//!
//! SQLite takes its allocator once, before its first connection opens ([`use_mimalloc`] is called before the
//! store opens one); later it would refuse, and keeps glibc's.
//!
//! The one module where the workspace allows `unsafe`: SQLite's allocator is set through its C interface only.
#![allow(unsafe_code)]

use std::os::raw::{c_int, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
    libmimalloc_sys::mi_malloc(usize::try_from(n).unwrap_or(0))
}

unsafe extern "C" fn free(p: *mut c_void) {
    libmimalloc_sys::mi_free(p)
}

unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    libmimalloc_sys::mi_realloc(p, usize::try_from(n).unwrap_or(0))
}

unsafe extern "C" fn size(p: *mut c_void) -> c_int {
    c_int::try_from(libmimalloc_sys::mi_usable_size(p)).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn roundup(n: c_int) -> c_int {
    c_int::try_from(libmimalloc_sys::mi_good_size(usize::try_from(n).unwrap_or(0))).unwrap_or(n)
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// Gives SQLite mimalloc as its allocator, once per process; answers whether SQLite took it (not when this
/// process had opened a SQLite database before).
pub(crate) fn use_mimalloc() -> bool {
    static TAKEN: OnceLock<bool> = OnceLock::new();
    *TAKEN.get_or_init(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: both calls only change SQLite's configuration, which SQLite refuses (SQLITE_MISUSE) once it
        // has started; the methods are copied by SQLite before the call returns.
        let taken = unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods)
                == ffi::SQLITE_OK
                && ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) == ffi::SQLITE_OK
        };
        if !taken {
            tracing::debug!("SQLite keeps the system's allocator: it had started before the store opened");
        }
        taken
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_allocates_from_mimalloc_once_told_before_it_starts() {
        assert!(use_mimalloc(), "told before any database opened");
        // SAFETY: a block SQLite allocates is freed by SQLite.
        unsafe {
            let p = ffi::sqlite3_malloc(100);
            assert!(!p.is_null());
            assert!(libmimalloc_sys::mi_is_in_heap_region(p), "SQLite's block is mimalloc's");
            assert!(ffi::sqlite3_msize(p) >= 100);
            ffi::sqlite3_free(p);
        }
        // A database that sorts, grows and shrinks its pages works as before.
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
             INSERT INTO t SELECT printf('%08d', (i * 7919) % 20000), i FROM n;",
        )
        .unwrap();
        let (count, first): (i64, String) =
            db.query_row("SELECT COUNT(*), MIN(k) FROM t", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!((count, first.as_str()), (20000, "00000000"));
        assert!(use_mimalloc(), "answered once, as first");
    }
}
