//! Task processes die with their master, however it ends.
//!
//! Every command task and custom executor runs in its own process group (so
//! that a kill reaches whatever it started), which also means no signal sent
//! to the master reaches them, and nothing the kernel does when the master
//! dies (SIGKILL included) does either. A reaper closes that gap: a small
//! `sh` process in a process group of its own, whose stdin is a pipe only
//! this process holds the write end of (std opens pipes close-on-exec, so
//! task processes never inherit it). The master tells it each group it
//! starts (`watch PGID`) and each group it has killed and reaped itself
//! (`forget PGID`). When the master is gone, for any reason, the pipe reads
//! end-of-file and the reaper SIGKILLs every group still watched.
//!
//! A group is forgotten only after its leader was reaped and the group
//! killed, so a pgid the reaper kills cannot have been reused by then.

use std::io::Write;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use std::os::unix::process::CommandExt;

/// The reaper's script: keep the set of watched groups until stdin ends,
/// then kill them.
const SCRIPT: &str = r#"groups=' '
while read -r op group; do
  case "$op" in
    watch) groups="$groups$group " ;;
    forget)
      kept=' '
      for g in $groups; do [ "$g" = "$group" ] || kept="$kept$g "; done
      groups=$kept ;;
  esac
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
"#;

/// The write end of the reaper's stdin; `None` if it could not be started
/// (the master still works, only without this guarantee).
fn reaper() -> &'static Mutex<Option<ChildStdin>> {
    static REAPER: OnceLock<Mutex<Option<ChildStdin>>> = OnceLock::new();
    REAPER.get_or_init(|| {
        let started = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group: a signal to the master's group (Ctrl-C in a
            // terminal, a test harness killing it) leaves it watching.
            .process_group(0)
            .spawn();
        match started {
            // The child is never waited for: it outlives this process by
            // design, and exits (reaped by init) once it has killed.
            Ok(mut child) => Mutex::new(child.stdin.take()),
            Err(e) => {
                log::warn!("no reaper for task processes: {e}");
                Mutex::new(None)
            }
        }
    })
}

fn tell(line: &str) {
    let mut reaper = reaper().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(stdin) = reaper.as_mut() {
        if let Err(e) = stdin.write_all(line.as_bytes()) {
            log::warn!("the reaper of task processes is gone: {e}");
            *reaper = None;
        }
    }
}

/// Process group `pgid` is killed if this process dies before [`forget`].
pub fn watch(pgid: u32) {
    tell(&format!("watch {pgid}\n"));
}

/// Process group `pgid` is dead and its leader reaped: nothing to kill.
pub fn forget(pgid: u32) {
    tell(&format!("forget {pgid}\n"));
}
