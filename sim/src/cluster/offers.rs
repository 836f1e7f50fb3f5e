//! The allocator: one outstanding offer per agent, round-robin over connected
//! frameworks, refusal filters, suppression, offer timeouts and RESCIND.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mesos_http::v1::resource::AllocationInfo;
use mesos_http::v1::{value, Address, AgentID, Attribute, FrameworkID, Offer, OfferID, URL};

use super::events;
use super::{Cluster, Filter, OfferState};
use crate::resources::Res;
use crate::roles::{framework_roles, has_capability};
use mesos_http::v1::framework_info::capability::Type as Capability;

impl Cluster {
    /// Resources of an agent not used by live tasks nor offered.
    pub fn free_resources(&self, agent_id: &str) -> Res {
        let Some(agent) = self.agents.get(agent_id) else {
            return Res::default();
        };
        let mut free = agent.total.clone();
        for task in self.tasks.values() {
            if task.agent_id == agent_id && !task.state.is_terminal() {
                free.subtract(&task.resources);
            }
        }
        for offer in self.offers.values() {
            if offer.agent_id == agent_id {
                free.subtract(&offer.resources);
            }
        }
        free
    }

    /// Makes offers for agents without one, batching one OFFERS event per framework.
    pub fn allocate(&mut self, now: Instant) {
        self.allocation_dirty = false;
        self.next_allocation = now + self.timing.allocation;
        for framework in self.frameworks.values_mut() {
            framework.filters.retain(|f| f.expires > now);
        }
        let candidates: Vec<(String, String)> = self
            .frameworks
            .values()
            .filter(|f| f.stream.is_some())
            .filter_map(|f| {
                framework_roles(&f.info)
                    .into_iter()
                    .find(|r| !f.suppressed.contains(r))
                    .map(|role| (f.id.clone(), role))
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        let busy: Vec<String> = self.offers.values().map(|o| o.agent_id.clone()).collect();
        let agent_ids: Vec<String> = self
            .agents
            .keys()
            .filter(|a| !busy.contains(a) && self.agent_connected(a))
            .cloned()
            .collect();
        let mut batches: BTreeMap<String, Vec<Offer>> = BTreeMap::new();
        for agent_id in agent_ids {
            let free = self.free_resources(&agent_id);
            if free.is_empty() {
                continue;
            }
            let n = candidates.len();
            let chosen = (0..n)
                .map(|i| &candidates[(self.allocation_cursor + i) % n])
                .find(|(fid, _)| {
                    self.frameworks[fid]
                        .filters
                        .iter()
                        .all(|f| f.agent_id != agent_id || !free.fits_in(&f.resources))
                })
                .cloned();
            let Some((framework_id, role)) = chosen else {
                continue;
            };
            self.allocation_cursor = self.allocation_cursor.wrapping_add(1);
            let offer_id = format!("{}-O{}", self.id_prefix(), self.next_offer);
            self.next_offer += 1;
            let offer = OfferState {
                id: offer_id,
                framework_id: framework_id.clone(),
                agent_id: agent_id.clone(),
                resources: free,
                role,
                created: now,
            };
            let proto = self.offer_proto(&offer);
            self.offers.insert(offer.id.clone(), offer);
            batches.entry(framework_id).or_default().push(proto);
        }
        for (framework_id, offers) in batches {
            log::info!("offering {} offer(s) to {framework_id}", offers.len());
            self.send_event(&framework_id, &events::offers(offers));
        }
    }

    fn offer_proto(&self, offer: &OfferState) -> Offer {
        let multi_role = self
            .frameworks
            .get(&offer.framework_id)
            .is_some_and(|f| has_capability(&f.info, Capability::MULTI_ROLE));
        let allocation_role = multi_role.then_some(offer.role.as_str());
        let agent = self.agents.get(&offer.agent_id);
        let hostname = agent.map(|a| a.spec.hostname.clone()).unwrap_or_default();
        let attributes = agent
            .map(|a| {
                a.spec
                    .attributes
                    .iter()
                    .map(|(name, text)| Attribute {
                        name: name.clone(),
                        r#type: value::Type::TEXT,
                        text: Some(value::Text {
                            value: text.clone(),
                        }),
                        ..Attribute::default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Offer {
            id: OfferID {
                value: offer.id.clone(),
            },
            framework_id: FrameworkID {
                value: offer.framework_id.clone(),
            },
            agent_id: AgentID {
                value: offer.agent_id.clone(),
            },
            hostname: hostname.clone(),
            url: Some(URL {
                scheme: "http".to_string(),
                address: Address {
                    hostname: Some(hostname),
                    ip: Some("127.0.0.1".to_string()),
                    port: 5051,
                },
                path: Some("/slave(1)".to_string()),
                ..URL::default()
            }),
            resources: offer.resources.to_resources(allocation_role),
            attributes,
            allocation_info: allocation_role.map(|r| AllocationInfo {
                role: Some(r.to_string()),
            }),
            ..Offer::default()
        }
    }

    /// Drops a framework's offers without telling it (failover, disconnection).
    pub fn discard_offers_of(&mut self, framework_id: &str) {
        self.offers.retain(|_, o| o.framework_id != framework_id);
        self.allocation_dirty = true;
    }

    /// Withdraws an offer and tells its framework.
    pub fn rescind_offer(&mut self, offer_id: &str) {
        if let Some(offer) = self.offers.remove(offer_id) {
            self.send_event(&offer.framework_id, &events::rescind(offer_id));
        }
    }

    /// Takes a valid, outstanding offer of this framework out of the pool.
    pub fn take_offer(&mut self, framework_id: &str, offer_id: &str) -> Option<OfferState> {
        match self.offers.get(offer_id) {
            Some(o) if o.framework_id == framework_id => self.offers.remove(offer_id),
            _ => None,
        }
    }

    /// Installs a refusal filter unless `refuse_seconds` is not positive.
    pub fn add_filter(
        &mut self,
        framework_id: &str,
        agent_id: &str,
        resources: Res,
        refuse_seconds: f64,
        now: Instant,
    ) {
        // NaN and non-positive values install no filter.
        if refuse_seconds.is_nan() || refuse_seconds <= 0.0 {
            return;
        }
        let duration = Duration::try_from_secs_f64(refuse_seconds)
            .unwrap_or(Duration::from_secs(365 * 86_400));
        if let Some(framework) = self.frameworks.get_mut(framework_id) {
            framework.filters.push(Filter {
                agent_id: agent_id.to_string(),
                resources,
                expires: now + duration,
            });
        }
    }

    /// DECLINE: the offers go back, filtered for `refuse_seconds` (default 5).
    pub fn decline(
        &mut self,
        framework_id: &str,
        offer_ids: &[String],
        refuse_seconds: f64,
        now: Instant,
    ) {
        for offer_id in offer_ids {
            if let Some(offer) = self.take_offer(framework_id, offer_id) {
                self.add_filter(
                    framework_id,
                    &offer.agent_id,
                    offer.resources,
                    refuse_seconds,
                    now,
                );
            }
        }
        self.allocation_dirty = true;
    }

    pub(super) fn expire_offers(&mut self, now: Instant) {
        let Some(timeout) = self.timing.offer_timeout else {
            return;
        };
        let expired: Vec<String> = self
            .offers
            .values()
            .filter(|o| now.duration_since(o.created) >= timeout)
            .map(|o| o.id.clone())
            .collect();
        for offer_id in expired {
            log::info!("offer {offer_id} timed out");
            self.rescind_offer(&offer_id);
        }
    }
}
