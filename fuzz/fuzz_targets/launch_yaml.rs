//! ROS 2 YAML launch files (`letan launch`), evaluated against an in-memory host: every file read
//! (the launch file and its includes) returns the fuzz input; nothing touches the disk but the plan's
//! own generated-file folder, which `plan` only names. Like a real file system, the host refuses paths
//! longer than PATH_MAX, and it serves at most 32 reads per input: a file that includes itself under a
//! new relative path (`d/self.yaml` → `d/d/self.yaml` …) is only possible on disk through a symlink
//! loop, and would otherwise recurse without end here (found by this target: a harness timeout).
#![no_main]
use letan_launch::{plan, Host, LaunchOptions};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

struct Mem(String, std::cell::Cell<usize>);
impl Host for Mem {
    fn env(&self, name: &str) -> Option<String> {
        (name == "HOME").then(|| "/home/letan".to_string())
    }
    fn package_share(&self, pkg: &str) -> Option<PathBuf> {
        (pkg == "letan").then(|| PathBuf::from("/opt/letan"))
    }
    fn read_to_string(&self, path: &Path) -> std::io::Result<String> {
        self.1.set(self.1.get() + 1);
        if path.as_os_str().len() > 4096 || self.1.get() > 32 {
            return Err(std::io::Error::other("no such file (fuzz host)"));
        }
        Ok(self.0.clone())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let host = Mem(text.to_string(), Default::default());
    let opts = LaunchOptions {
        args: vec![("scenario".into(), "x.yaml".into())],
        letan_exe: PathBuf::from("/usr/bin/letan"),
        host: &host,
        generated_dir: PathBuf::from("/nonexistent/letan-fuzz-generated"),
    };
    if let Ok(p) = plan(Path::new("/fuzz/main.launch.yaml"), &opts) {
        for proc in &p.processes {
            let _ = proc.command_line();
        }
    }
});
