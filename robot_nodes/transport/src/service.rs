//! ROS 2 services over DDS (the request-id layout of `DdsOptions::service_layout`: rmw_fastrtps' by default, or rmw_cyclonedds') and over the bus.
use crate::bus::ServiceEntry;
use crate::dds::{runtime, DdsContext, Wire};
use crate::inbox::Inbox;
use crate::node::{Node, NodeBackend};
use crate::qos::Qos;
use crate::{Result, TransportError};
use letan_msgs::RosServiceType as RosService;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

type DdsServer<S> =
    ros2_client::Server<Wire<<S as RosService>::Request>, Wire<<S as RosService>::Response>>;
type DdsClient<S> =
    ros2_client::Client<Wire<<S as RosService>::Request>, Wire<<S as RosService>::Response>>;
type BusCall<S> = (
    <S as RosService>::Request,
    oneshot::Sender<<S as RosService>::Response>,
);

fn service_type(type_name: &str) -> Result<ros2_client::ServiceTypeName> {
    let parts: Vec<&str> = type_name.split('/').collect();
    match parts.as_slice() {
        [pkg, "srv", name] | [pkg, name] => Ok(ros2_client::ServiceTypeName::new(pkg, name)),
        _ => Err(TransportError::InvalidName {
            name: type_name.into(),
            reason: "a service type is written pkg/srv/Name".into(),
        }),
    }
}

enum Reply<S: RosService> {
    Dds(Arc<DdsServer<S>>, ros2_client::RmwRequestId),
    Bus(oneshot::Sender<S::Response>),
}

/// One request to answer.
pub struct ServiceRequest<S: RosService> {
    pub request: S::Request,
    service: String,
    reply: Reply<S>,
}

impl<S: RosService> ServiceRequest<S> {
    /// Send the response to the caller.
    pub fn respond(self, response: S::Response) -> Result<()> {
        match self.reply {
            Reply::Dds(server, id) => {
                server
                    .send_response(id, Wire(response))
                    .map_err(|e| TransportError::Service {
                        service: self.service,
                        detail: format!("sending the response: {e:?}"),
                    })
            }
            Reply::Bus(tx) => tx.send(response).map_err(|_| TransportError::Service {
                service: self.service,
                detail: "the caller gave up before the response".into(),
            }),
        }
    }
}

enum ServerInner<S: RosService> {
    Dds(Arc<Inbox<ServiceRequest<S>>>),
    Bus(mpsc::UnboundedReceiver<BusCall<S>>),
}

/// Serves one service.
pub struct ServiceServer<S: RosService> {
    name: String,
    inner: ServerInner<S>,
}

impl<S: RosService> ServiceServer<S> {
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The next request (`None` once the server is closed).
    pub async fn recv(&mut self) -> Option<ServiceRequest<S>> {
        match &mut self.inner {
            ServerInner::Dds(inbox) => inbox.pop().await,
            ServerInner::Bus(rx) => rx.recv().await.map(|(request, tx)| ServiceRequest {
                request,
                service: self.name.clone(),
                reply: Reply::Bus(tx),
            }),
        }
    }
}

// One per client; the DDS variant is the one in use when it is big.
#[allow(clippy::large_enum_variant)]
enum ClientInner<S: RosService> {
    Dds(DdsClient<S>),
    Bus(Arc<crate::bus::Bus>),
}

/// Calls one service.
pub struct ServiceClient<S: RosService> {
    name: String,
    inner: ClientInner<S>,
}

impl<S: RosService> ServiceClient<S> {
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Call and wait at most `timeout` for the answer.
    pub async fn call(&self, request: S::Request, timeout: Duration) -> Result<S::Response> {
        let timed_out = || TransportError::ServiceTimeout {
            service: self.name.clone(),
            timeout_ms: timeout.as_millis() as u64,
        };
        match &self.inner {
            ClientInner::Dds(client) => {
                match tokio::time::timeout(timeout, client.async_call_service(Wire(request))).await
                {
                    Err(_) => Err(timed_out()),
                    Ok(Err(e)) => Err(TransportError::Service {
                        service: self.name.clone(),
                        detail: format!("{e:?}"),
                    }),
                    Ok(Ok(Wire(resp))) => Ok(resp),
                }
            }
            ClientInner::Bus(bus) => {
                let (tx, rx) = oneshot::channel();
                let sent = bus.with_service(&self.name, |e| {
                    e.sender
                        .downcast_ref::<mpsc::UnboundedSender<BusCall<S>>>()
                        .map(|s| s.send((request, tx)).is_ok())
                });
                match sent {
                    Some(Some(true)) => {}
                    Some(None) => {
                        return Err(TransportError::TypeMismatch {
                            topic: self.name.clone(),
                            existing: "another service type".into(),
                            requested: S::type_name(),
                        })
                    }
                    _ => {
                        return Err(TransportError::Service {
                            service: self.name.clone(),
                            detail: "no server is running".into(),
                        })
                    }
                }
                match tokio::time::timeout(timeout, rx).await {
                    Err(_) => Err(timed_out()),
                    Ok(Err(_)) => Err(TransportError::Service {
                        service: self.name.clone(),
                        detail: "the server dropped the request".into(),
                    }),
                    Ok(Ok(resp)) => Ok(resp),
                }
            }
        }
    }
}

impl Node {
    /// Serve `name` (resolved like a topic).
    pub fn service_server<S: RosService>(&self, name: &str) -> Result<ServiceServer<S>> {
        let name = self.resolve(name)?;
        match &self.inner {
            NodeBackend::Dds(_) => {
                let mut guard = self.dds().ok_or(TransportError::Closed)?;
                let mapping = guard.service_mapping;
                let qos = Qos::services().to_ros2();
                let server: DdsServer<S> = guard
                    .node
                    .create_server(
                        mapping,
                        &DdsContext::ros_name(&name)?,
                        &service_type(&S::type_name())?,
                        qos.clone(),
                        qos,
                    )
                    .map_err(|e| TransportError::dds(format!("creating service {name}"), e))?;
                let server = Arc::new(server);
                let inbox = Inbox::new(64);
                let weak = Arc::downgrade(&inbox);
                let service = name.clone();
                runtime()?.spawn(async move {
                    loop {
                        let got = server.async_receive_request().await;
                        let Some(inbox) = weak.upgrade() else { break };
                        match got {
                            Ok((id, Wire(request))) => inbox.push(ServiceRequest {
                                request,
                                service: service.clone(),
                                reply: Reply::Dds(server.clone(), id),
                            }),
                            Err(e) => tracing::warn!(%service, error = ?e, "bad service request"),
                        }
                    }
                });
                Ok(ServiceServer {
                    name,
                    inner: ServerInner::Dds(inbox),
                })
            }
            NodeBackend::Bus(bus) => {
                let (tx, rx) = mpsc::unbounded_channel::<BusCall<S>>();
                bus.register_service(
                    &name,
                    ServiceEntry {
                        type_name: S::type_name(),
                        sender: Box::new(tx),
                    },
                )?;
                Ok(ServiceServer {
                    name,
                    inner: ServerInner::Bus(rx),
                })
            }
        }
    }

    /// A client of `name` (resolved like a topic).
    pub fn service_client<S: RosService>(&self, name: &str) -> Result<ServiceClient<S>> {
        let name = self.resolve(name)?;
        let inner = match &self.inner {
            NodeBackend::Dds(_) => {
                let mut guard = self.dds().ok_or(TransportError::Closed)?;
                let mapping = guard.service_mapping;
                let qos = Qos::services().to_ros2();
                let client: DdsClient<S> = guard
                    .node
                    .create_client(
                        mapping,
                        &DdsContext::ros_name(&name)?,
                        &service_type(&S::type_name())?,
                        qos.clone(),
                        qos,
                    )
                    .map_err(|e| TransportError::dds(format!("creating client of {name}"), e))?;
                ClientInner::Dds(client)
            }
            NodeBackend::Bus(bus) => ClientInner::Bus(bus.clone()),
        };
        Ok(ServiceClient { name, inner })
    }
}
