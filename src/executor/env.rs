//! What the agent tells an executor through its environment
//! (`src/slave/slave.cpp`, `executorEnvironment`), read the way the Mesos
//! executor library reads it (`src/executor/executor.cpp`), with an error
//! that names the variable at fault.

use std::fmt;
use std::time::Duration;

/// The framework the executor belongs to.
pub const FRAMEWORK_ID: &str = "MESOS_FRAMEWORK_ID";
/// The executor's own id.
pub const EXECUTOR_ID: &str = "MESOS_EXECUTOR_ID";
/// The agent's libprocess PID, `slave(1)@ip:port`: address and path id.
pub const SLAVE_PID: &str = "MESOS_SLAVE_PID";
/// The agent's `ip:port` (used when `MESOS_SLAVE_PID` is absent).
pub const AGENT_ENDPOINT: &str = "MESOS_AGENT_ENDPOINT";
/// `1` when the framework checkpoints (the executor then survives agent restarts).
pub const CHECKPOINT: &str = "MESOS_CHECKPOINT";
/// How long a checkpointing executor keeps trying to re-subscribe.
pub const RECOVERY_TIMEOUT: &str = "MESOS_RECOVERY_TIMEOUT";
/// The longest pause between two re-subscription attempts.
pub const SUBSCRIPTION_BACKOFF_MAX: &str = "MESOS_SUBSCRIPTION_BACKOFF_MAX";
/// How long the agent waits after SHUTDOWN before killing the executor.
pub const SHUTDOWN_GRACE_PERIOD: &str = "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD";
/// The token for `Authorization: Bearer` when the agent authenticates executors.
pub const AUTHENTICATION_TOKEN: &str = "MESOS_EXECUTOR_AUTHENTICATION_TOKEN";

/// Why the environment does not describe an executor. Each variant names
/// the variable at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvError {
    /// A variable the executor needs is not set (or is empty).
    Missing {
        /// The variable's name.
        variable: &'static str,
    },
    /// A variable is set to something unusable.
    Malformed {
        /// The variable's name.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl EnvError {
    /// The variable at fault.
    pub fn variable(&self) -> &'static str {
        match self {
            EnvError::Missing { variable } | EnvError::Malformed { variable, .. } => variable,
        }
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvError::Missing { variable } => {
                write!(f, "expecting '{variable}' to be set in the environment")
            }
            EnvError::Malformed {
                variable,
                value,
                reason,
            } => write!(f, "malformed '{variable}' ({value:?}): {reason}"),
        }
    }
}

impl std::error::Error for EnvError {}

/// Everything read from the environment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AgentEnv {
    pub framework_id: String,
    pub executor_id: String,
    /// `http://ip:port/<pid id>/api/v1/executor`.
    pub url: String,
    pub checkpoint: bool,
    /// Set when checkpointing.
    pub recovery: Option<(Duration, Duration)>,
    pub shutdown_grace_period: Option<Duration>,
    pub token: Option<String>,
}

impl AgentEnv {
    /// Reads the variables through `lookup` (the process environment, or a
    /// map in tests).
    pub fn read(lookup: impl Fn(&str) -> Option<String>) -> Result<AgentEnv, EnvError> {
        let get = |variable: &'static str| lookup(variable).filter(|v| !v.is_empty());
        let require = |variable: &'static str| get(variable).ok_or(EnvError::Missing { variable });
        let framework_id = require(FRAMEWORK_ID)?;
        let executor_id = require(EXECUTOR_ID)?;
        let url = match (get(SLAVE_PID), get(AGENT_ENDPOINT)) {
            (Some(pid), _) => url_from_pid(&pid).map_err(|reason| EnvError::Malformed {
                variable: SLAVE_PID,
                value: pid,
                reason,
            })?,
            (None, Some(endpoint)) => {
                check_address(&endpoint).map_err(|reason| EnvError::Malformed {
                    variable: AGENT_ENDPOINT,
                    value: endpoint.clone(),
                    reason,
                })?;
                format!("http://{endpoint}/api/v1/executor")
            }
            (None, None) => {
                return Err(EnvError::Missing {
                    variable: SLAVE_PID,
                })
            }
        };
        let checkpoint = match get(CHECKPOINT).as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(EnvError::Malformed {
                    variable: CHECKPOINT,
                    value: other.to_string(),
                    reason: "expecting 1 or 0".into(),
                })
            }
        };
        let duration = |variable: &'static str| -> Result<Option<Duration>, EnvError> {
            get(variable)
                .map(|value| {
                    parse_duration(&value).map_err(|reason| EnvError::Malformed {
                        variable,
                        value,
                        reason,
                    })
                })
                .transpose()
        };
        let recovery = if checkpoint {
            let timeout = duration(RECOVERY_TIMEOUT)?.ok_or(EnvError::Missing {
                variable: RECOVERY_TIMEOUT,
            })?;
            let backoff = duration(SUBSCRIPTION_BACKOFF_MAX)?.ok_or(EnvError::Missing {
                variable: SUBSCRIPTION_BACKOFF_MAX,
            })?;
            Some((timeout, backoff))
        } else {
            None
        };
        Ok(AgentEnv {
            framework_id,
            executor_id,
            url,
            checkpoint,
            recovery,
            shutdown_grace_period: duration(SHUTDOWN_GRACE_PERIOD)?,
            token: get(AUTHENTICATION_TOKEN),
        })
    }
}

/// `slave(1)@10.0.0.1:5051` → `http://10.0.0.1:5051/slave(1)/api/v1/executor`,
/// as the executor library builds it from the PID's id and address.
fn url_from_pid(pid: &str) -> Result<String, String> {
    let (id, address) = pid
        .split_once('@')
        .ok_or("expecting a libprocess PID such as slave(1)@10.0.0.1:5051")?;
    if id.is_empty() || id.contains('/') || id.chars().any(char::is_whitespace) {
        return Err(format!("bad process id {id:?}"));
    }
    check_address(address)?;
    Ok(format!("http://{address}/{id}/api/v1/executor"))
}

/// `ip:port` with a non-empty host and a numeric port.
fn check_address(address: &str) -> Result<(), String> {
    let (host, port) = address
        .rsplit_once(':')
        .ok_or("expecting ip:port".to_string())?;
    if host.is_empty() || host.contains('/') || host.chars().any(char::is_whitespace) {
        return Err(format!("bad host {host:?}"));
    }
    port.parse::<u16>()
        .map(|_| ())
        .map_err(|_| format!("bad port {port:?}"))
}

/// Parses a stout duration: a non-negative decimal number and a unit, one of
/// `ns us ms secs mins hrs days weeks` (`15mins`, `2secs`, `0.5secs`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("no unit in {text:?} (ns, us, ms, secs, mins, hrs, days, weeks)"))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("bad number {number:?}"))?;
    let seconds_per_unit = match unit {
        "ns" => 1e-9,
        "us" => 1e-6,
        "ms" => 1e-3,
        "secs" => 1.0,
        "mins" => 60.0,
        "hrs" => 3600.0,
        "days" => 86_400.0,
        "weeks" => 604_800.0,
        other => return Err(format!("unknown unit {other:?}")),
    };
    Duration::try_from_secs_f64(value * seconds_per_unit).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stout_durations() {
        assert_eq!(parse_duration("15mins"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2secs"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5hrs"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1weeks"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("15 minutes").is_err());
        assert!(parse_duration("-1secs").is_err());
        assert!(parse_duration("secs").is_err());
    }

    #[test]
    fn the_url_comes_from_the_pid() {
        assert_eq!(
            url_from_pid("slave(1)@10.0.0.1:5051").unwrap(),
            "http://10.0.0.1:5051/slave(1)/api/v1/executor"
        );
        assert!(url_from_pid("10.0.0.1:5051").is_err());
        assert!(url_from_pid("slave(1)@10.0.0.1").is_err());
        assert!(url_from_pid("slave(1)@10.0.0.1:x").is_err());
    }
}
