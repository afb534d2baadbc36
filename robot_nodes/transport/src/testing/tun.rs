//! A slow, lossy link in user space, for kernels without `tc netem` (`CONFIG_NET_SCH_NETEM` unset):
//! TUN and TAP devices from `/dev/net/tun`, and a [`DelayLine`] that copies what one device's kernel
//! side sends into another device (or back into the same one), each packet held a fixed delay (by its
//! departure time) or dropped with a fixed probability from a seeded generator.
//!
//! Used by `letan-fleet`'s multi-site test (one TUN device in a router namespace: every forwarded IP
//! packet is routed into it and written back into it later) and by `letan`'s fault test (two TAP
//! devices, one in the robot's network namespace and one in the operator's: every Ethernet frame
//! between them, multicast discovery included, crosses the line). Needs root (or `CAP_NET_ADMIN`).
#![allow(clippy::disallowed_methods)] // a delay line is wall time: that is the point

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::raw::{c_int, c_ulong};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `struct ifreq` with the flags member of its union (40 bytes on 64-bit Linux).
#[repr(C)]
struct IfReq {
    name: [u8; 16],
    flags: i16,
    _pad: [u8; 22],
}

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

const TUNSETIFF: c_ulong = 0x4004_54ca;
const IFF_TUN: i16 = 0x0001;
const IFF_TAP: i16 = 0x0002;
const IFF_NO_PI: i16 = 0x1000;

fn open(name: &str, kind: i16) -> std::io::Result<File> {
    if name.is_empty() || name.len() > 15 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("interface name {name:?}: 1 to 15 bytes"),
        ));
    }
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")?;
    let mut req = IfReq {
        name: [0; 16],
        flags: kind | IFF_NO_PI,
        _pad: [0; 22],
    };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: TUNSETIFF reads and writes one `struct ifreq`, which `req` is and outlives the call.
    let rc = unsafe { ioctl(f.as_raw_fd(), TUNSETIFF, &mut req as *mut IfReq) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(f)
}

/// Make the TUN device `name` in this thread's network namespace (gone when the file is closed): one
/// IP packet per read or write.
pub fn open_tun(name: &str) -> std::io::Result<File> {
    open(name, IFF_TUN)
}

/// Make the TAP device `name` in this thread's network namespace (gone when the file is closed): one
/// Ethernet frame per read or write. The device may be moved to another namespace
/// (`ip link set <name> netns <pid>`); the file keeps working.
pub fn open_tap(name: &str) -> std::io::Result<File> {
    open(name, IFF_TAP)
}

/// What a [`DelayLine`] has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCounts {
    /// Packets (frames) written out after their delay.
    pub forwarded: u64,
    /// Packets dropped.
    pub dropped: u64,
    /// The shortest and longest time a forwarded packet was held, read to written (none yet: zero).
    pub min_held: Duration,
    pub max_held: Duration,
}

impl LineCounts {
    /// The dropped share of the packets read (0 when none were).
    pub fn loss(&self) -> f64 {
        let n = self.forwarded + self.dropped;
        if n == 0 {
            0.0
        } else {
            self.dropped as f64 / n as f64
        }
    }
}

impl std::fmt::Display for LineCounts {
    /// `forwarded=… dropped=… (…% lost) held …–… ms`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "forwarded={} dropped={} ({:.1} % lost) held {:.1}-{:.1} ms",
            self.forwarded,
            self.dropped,
            self.loss() * 100.0,
            self.min_held.as_secs_f64() * 1e3,
            self.max_held.as_secs_f64() * 1e3
        )
    }
}

#[derive(Default)]
struct Stats {
    forwarded: AtomicU64,
    dropped: AtomicU64,
    min_held_us: AtomicU64,
    max_held_us: AtomicU64,
}

/// One direction of a slow, lossy link: two threads copy every packet read from `from` into `to`,
/// `delay` after it was read (the writer sleeps until each packet's departure time, so packets
/// keep their order and gaps: no jitter, no reordering, as netem by default), except those a
/// xorshift64* generator seeded with `seed` drops (`loss_permille` in 1000). The threads end when a
/// read fails (the device is gone); dropping the handle does not stop them.
pub struct DelayLine {
    stats: Arc<Stats>,
}

impl DelayLine {
    /// Start copying `from` → `to`. For a TUN device that the kernel routes packets into and that
    /// should hand them back, `from` and `to` are the same device (`to` a `try_clone` of `from`).
    pub fn start(
        mut from: File,
        mut to: File,
        delay: Duration,
        loss_permille: u64,
        seed: u64,
    ) -> DelayLine {
        let stats = Arc::new(Stats {
            min_held_us: AtomicU64::new(u64::MAX),
            ..Stats::default()
        });
        let (tx, rx) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
        let s = stats.clone();
        std::thread::spawn(move || {
            while let Ok((read_at, p)) = rx.recv() {
                std::thread::sleep((read_at + delay).saturating_duration_since(Instant::now()));
                // A write can fail while the far device is down or moving between namespaces:
                // the packet is lost, as on a wire.
                if to.write(&p).is_ok() {
                    let held = u64::try_from(read_at.elapsed().as_micros()).unwrap_or(u64::MAX);
                    s.forwarded.fetch_add(1, Ordering::Relaxed);
                    s.min_held_us.fetch_min(held, Ordering::Relaxed);
                    s.max_held_us.fetch_max(held, Ordering::Relaxed);
                }
            }
        });
        let s = stats.clone();
        std::thread::spawn(move || {
            let mut x = seed | 1;
            let mut buf = vec![0u8; 65536];
            while let Ok(n) = from.read(&mut buf) {
                let read_at = Instant::now();
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                if x.wrapping_mul(0x2545_f491_4f6c_dd1d) % 1000 < loss_permille {
                    s.dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                if tx.send((read_at, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
        DelayLine { stats }
    }

    /// What it has done so far.
    pub fn counts(&self) -> LineCounts {
        let min = self.stats.min_held_us.load(Ordering::Relaxed);
        LineCounts {
            forwarded: self.stats.forwarded.load(Ordering::Relaxed),
            dropped: self.stats.dropped.load(Ordering::Relaxed),
            min_held: Duration::from_micros(if min == u64::MAX { 0 } else { min }),
            max_held: Duration::from_micros(self.stats.max_held_us.load(Ordering::Relaxed)),
        }
    }
}
