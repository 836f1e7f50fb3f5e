//! Framework lifecycle: SUBSCRIBE (new, failover, recovered), disconnection and
//! the failover timeout, TEARDOWN, UPDATE_FRAMEWORK, SUPPRESS and REVIVE.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use mesos_http::v1::scheduler::call::{Subscribe, UpdateFramework};
use mesos_http::v1::{FrameworkID, TaskState};

use super::events;
use super::{Cluster, Framework, StreamHandle, StreamMsg};
use crate::roles::framework_roles;
use mesos_http::validation::{
    validate_framework_info, validate_offer_constraints_roles, validate_subscribe,
    validate_suppressed_roles,
};

impl Cluster {
    /// Handles a SUBSCRIBE whose HTTP 200 is already committed: every refusal
    /// is an ERROR event followed by the end of the stream.
    pub fn subscribe(
        &mut self,
        subscribe: Subscribe,
        principal: Option<&str>,
        mut stream: StreamHandle,
        now: Instant,
    ) {
        let refuse = |stream: &StreamHandle, message: &str| {
            stream.send(&events::error(message));
            stream.control(StreamMsg::End);
        };
        if let Err(e) = validate_subscribe(&subscribe) {
            return refuse(&stream, &e);
        }
        let mut info = subscribe.framework_info;
        if info.principal.is_none() {
            info.principal = principal.map(str::to_string);
        }
        let requested = info
            .id
            .as_ref()
            .map(|i| i.value.clone())
            .filter(|v| !v.is_empty());
        let id = match requested {
            Some(id) if self.removed_frameworks.contains(&id) => {
                return refuse(&stream, "Framework has been removed");
            }
            Some(id) => id,
            None => {
                let id = format!("{}-{:04}", self.id_prefix(), self.next_framework);
                self.next_framework += 1;
                id
            }
        };
        info.id = Some(FrameworkID { value: id.clone() });
        if let Some(existing) = self.frameworks.get(&id) {
            if existing.info.principal != info.principal {
                return refuse(&stream, "Changing framework's principal is not allowed.");
            }
            // The master keeps the old user and checkpoint values on re-subscription.
            info.user = existing.info.user.clone();
            info.checkpoint = existing.info.checkpoint;
        }
        let leader = self.leader.unwrap_or(0);
        let master = self.masters.get(leader).cloned();
        let (master_id, port) = master.map(|m| (m.id, m.port)).unwrap_or_default();
        let heartbeat = self.timing.heartbeat;
        stream.send(&events::subscribed(
            &id,
            heartbeat.as_secs_f64(),
            events::master_info(&master_id, port, &self.version),
        ));
        stream.send(&events::heartbeat());
        stream.next_heartbeat = now + heartbeat;
        let suppressed: BTreeSet<String> = subscribe.suppressed_roles.into_iter().collect();
        let failed_over = match self.frameworks.get_mut(&id) {
            Some(framework) => {
                if let Some(old) = framework.stream.take() {
                    old.send(&events::error("Framework failed over"));
                    old.control(StreamMsg::End);
                }
                framework.info = info;
                framework.stream = Some(stream);
                framework.failover_deadline = None;
                framework.suppressed = suppressed;
                framework.subscriptions += 1;
                true
            }
            None => {
                log::info!("framework {id} subscribed");
                self.frameworks.insert(
                    id.clone(),
                    Framework {
                        id: id.clone(),
                        info,
                        stream: Some(stream),
                        failover_deadline: None,
                        suppressed,
                        filters: Vec::new(),
                        subscriptions: 1,
                    },
                );
                false
            }
        };
        *self.events_sent.entry(id.clone()).or_insert(0) += 2;
        if failed_over {
            log::info!("framework {id} re-subscribed (failover)");
            // Offers made to the previous connection are discarded, not rescinded.
            self.discard_offers_of(&id);
        }
        // Agents resend at once to a framework the master failed over or
        // (after a master restart) has never seen under this id.
        self.resend_pending_updates(&id, now);
        self.allocation_dirty = true;
    }

    /// A subscription stream went away (connection closed or failed).
    pub fn stream_closed(&mut self, stream_id: &str, now: Instant) {
        let found = self
            .frameworks
            .values_mut()
            .find(|f| f.stream.as_ref().is_some_and(|s| s.id == stream_id));
        let Some(framework) = found else { return };
        framework.stream = None;
        let timeout = framework.info.failover_timeout.unwrap_or(0.0).max(0.0);
        let timeout =
            Duration::try_from_secs_f64(timeout).unwrap_or(Duration::from_secs(u32::MAX as u64));
        framework.failover_deadline = Some(now + timeout);
        let id = framework.id.clone();
        log::info!("framework {id} disconnected; failover timeout {timeout:?}");
        self.discard_offers_of(&id);
    }

    pub(super) fn expire_failover_timeouts(&mut self, now: Instant) {
        let expired: Vec<String> = self
            .frameworks
            .values()
            .filter(|f| f.failover_deadline.is_some_and(|d| now >= d))
            .map(|f| f.id.clone())
            .collect();
        for id in expired {
            log::info!("framework {id} failover timeout expired");
            self.remove_framework(&id);
        }
    }

    /// Removes a framework for good: its stream ends, its offers go back, its
    /// tasks are killed, and its id can never subscribe again.
    pub fn remove_framework(&mut self, id: &str) {
        let Some(mut framework) = self.frameworks.remove(id) else {
            return;
        };
        if let Some(stream) = framework.stream.take() {
            stream.control(StreamMsg::End);
        }
        self.offers.retain(|_, o| o.framework_id != id);
        let keys: Vec<(String, String)> = self
            .tasks
            .keys()
            .filter(|(f, _)| f == id)
            .cloned()
            .collect();
        for key in keys {
            if let Some(mut task) = self.tasks.remove(&key) {
                task.runner.kill_now();
                if !task.state.is_terminal() {
                    task.state = TaskState::TASK_KILLED;
                }
                task.pending.clear();
                self.completed_tasks.push(task);
            }
        }
        // Executor processes get SHUTDOWN and their grace period, as the
        // agent does when a framework goes; the others simply go.
        let now = Instant::now();
        let keys: Vec<_> = self
            .executors
            .keys()
            .filter(|k| k.0 == id)
            .cloned()
            .collect();
        for key in keys {
            if self.executors.get(&key).is_some_and(|e| e.http.is_some()) {
                self.shutdown_http_executor(&key, now);
            } else {
                self.executors.remove(&key);
            }
        }
        self.removed_frameworks.insert(id.to_string());
        self.allocation_dirty = true;
        log::info!("framework {id} removed");
    }

    /// UPDATE_FRAMEWORK: all or nothing; `Err((status, body))` on refusal.
    pub fn update_framework(
        &mut self,
        id: &str,
        update: UpdateFramework,
        principal: Option<&str>,
    ) -> Result<(), (u16, String)> {
        let mut info = update.framework_info;
        validate_framework_info(&info)
            .map_err(|e| (400, format!("Supplied FrameworkInfo is not valid: {e}")))?;
        let framework = self
            .frameworks
            .get(id)
            .ok_or((400, "Framework cannot be found".to_string()))?;
        if info.principal.is_none() {
            info.principal = principal.map(str::to_string);
        }
        let old = &framework.info;
        let changed = |field: &str, from: String, to: String| {
            (
                400,
                format!(
                    "FrameworkInfo update is not valid: Updating 'FrameworkInfo.{field}' is unsupported; attempted to update from '{from}' to '{to}'"
                ),
            )
        };
        if old.user != info.user {
            return Err(changed("user", old.user.clone(), info.user.clone()));
        }
        if old.principal != info.principal {
            return Err(changed(
                "principal",
                old.principal.clone().unwrap_or_default(),
                info.principal.clone().unwrap_or_default(),
            ));
        }
        if old.checkpoint.unwrap_or(false) != info.checkpoint.unwrap_or(false) {
            return Err(changed(
                "checkpoint",
                old.checkpoint.unwrap_or(false).to_string(),
                info.checkpoint.unwrap_or(false).to_string(),
            ));
        }
        let roles = framework_roles(&info);
        validate_suppressed_roles(&info, &update.suppressed_roles)
            .and_then(|()| match &update.offer_constraints {
                Some(c) => validate_offer_constraints_roles(&info, c),
                None => Ok(()),
            })
            .map_err(|e| (400, format!("'UpdateFramework' call is not valid: {e}")))?;
        let framework = self.frameworks.get_mut(id).ok_or((400, String::new()))?;
        framework.info = info;
        framework.suppressed = update.suppressed_roles.into_iter().collect();
        // Offers allocated to roles the framework no longer has are rescinded.
        let stale: Vec<String> = self
            .offers
            .values()
            .filter(|o| o.framework_id == id && !roles.contains(&o.role))
            .map(|o| o.id.clone())
            .collect();
        for offer_id in stale {
            self.rescind_offer(&offer_id);
        }
        self.allocation_dirty = true;
        Ok(())
    }

    /// SUPPRESS: no offers for these roles (all roles when empty). A role the
    /// framework does not have makes the master drop the whole call.
    pub fn suppress(&mut self, id: &str, roles: Vec<String>) {
        let Some(framework) = self.frameworks.get_mut(id) else {
            return;
        };
        let held = framework_roles(&framework.info);
        let roles = if roles.is_empty() {
            held.clone()
        } else {
            roles
        };
        if roles.iter().any(|r| !held.contains(r)) {
            return;
        }
        framework.suppressed.extend(roles);
    }

    /// REVIVE: clears filters and unsuppresses these roles (all when empty).
    pub fn revive(&mut self, id: &str, roles: Vec<String>) {
        let Some(framework) = self.frameworks.get_mut(id) else {
            return;
        };
        let held = framework_roles(&framework.info);
        let roles = if roles.is_empty() {
            held.clone()
        } else {
            roles
        };
        if roles.iter().any(|r| !held.contains(r)) {
            return;
        }
        for role in &roles {
            framework.suppressed.remove(role);
        }
        framework.filters.clear();
        self.allocation_dirty = true;
    }
}
