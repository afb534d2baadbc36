//! ROS 2 YAML launch files (`letan launch`), evaluated against an in-memory host: every file read
//! (the launch file and its includes) returns the fuzz input; nothing touches the disk but the plan's
//! own generated-file folder, which `plan` only names.
#![no_main]
use letan_launch::{plan, Host, LaunchOptions};
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

struct Mem(String);
impl Host for Mem {
    fn env(&self, name: &str) -> Option<String> {
        (name == "HOME").then(|| "/home/letan".to_string())
    }
    fn package_share(&self, pkg: &str) -> Option<PathBuf> {
        (pkg == "letan").then(|| PathBuf::from("/opt/letan"))
    }
    fn read_to_string(&self, _path: &Path) -> std::io::Result<String> {
        Ok(self.0.clone())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let host = Mem(text.to_string());
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
