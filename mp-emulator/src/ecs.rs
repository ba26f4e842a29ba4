//! ECS task metadata v4 (`$ECS_CONTAINER_METADATA_URI_V4` and `.../task`) and the container
//! credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, checked against
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), as the ECS agent serves them to a task. Each replica
//! (another task of the same task definition and role) has its own: a task ARN, and a
//! credentials session of the task role.

use crate::credentials::CredentialSource;
use crate::routes::ACCOUNT_ID;
use crate::state::State;
use axum::Json;
use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Arc;

/// The id in a task's ARN: the emulator's for the default replica, and one derived from it
/// for each named replica (32 hex digits, as ECS task ids are).
fn task_id(state: &State, replica: Option<&str>) -> String {
    let Some(name) = replica else {
        return state.task_id.clone();
    };
    let hash = |salt: u8| {
        BuildHasherDefault::<DefaultHasher>::default().hash_one((&state.task_id, name, salt))
    };
    format!("{:016x}{:016x}", hash(0), hash(1))
}

fn task_arn(state: &State, replica: Option<&str>) -> String {
    format!(
        "arn:aws:ecs:{}:{ACCOUNT_ID}:task/mp-emulator/{}",
        state.config.region,
        task_id(state, replica)
    )
}

fn availability_zone(state: &State) -> String {
    format!("{}a", state.config.region)
}

fn container(state: &State, replica: Option<&str>) -> Value {
    let task_id = task_id(state, replica);
    json!({
        "DockerId": format!("{task_id}-app"),
        "Name": "app",
        "DockerName": "ecs-mp-emulator-app",
        "Image": "mp-emulator/app:latest",
        "Labels": {
            "com.amazonaws.ecs.cluster": "mp-emulator",
            "com.amazonaws.ecs.task-arn": task_arn(state, replica),
        },
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "Type": "NORMAL",
        "ContainerARN": format!(
            "arn:aws:ecs:{}:{ACCOUNT_ID}:container/mp-emulator/{task_id}/app",
            state.config.region
        ),
    })
}

fn task(state: &State, replica: Option<&str>) -> Value {
    json!({
        "Cluster": format!("arn:aws:ecs:{}:{ACCOUNT_ID}:cluster/mp-emulator", state.config.region),
        "TaskARN": task_arn(state, replica),
        "Family": "mp-emulator",
        "Revision": "1",
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "AvailabilityZone": availability_zone(state),
        "LaunchType": "FARGATE",
        "Containers": [container(state, replica)],
    })
}

pub(crate) async fn container_metadata(Shared(state): Shared<Arc<State>>) -> Json<Value> {
    Json(container(&state, None))
}

pub(crate) async fn task_metadata(Shared(state): Shared<Arc<State>>) -> Json<Value> {
    Json(task(&state, None))
}

pub(crate) async fn replica_container_metadata(
    Shared(state): Shared<Arc<State>>,
    Path(replica): Path<String>,
) -> Response {
    of_replica(&replica, || container(&state, Some(&replica)))
}

pub(crate) async fn replica_task_metadata(
    Shared(state): Shared<Arc<State>>,
    Path(replica): Path<String>,
) -> Response {
    of_replica(&replica, || task(&state, Some(&replica)))
}

/// `document()` for a valid replica name, 404 otherwise.
fn of_replica(replica: &str, document: impl FnOnce() -> Value) -> Response {
    match CredentialSource::EcsTaskRole.session(Some(replica)) {
        Ok(_) => Json(document()).into_response(),
        Err(message) => not_found(message),
    }
}

fn not_found(message: String) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "code": "NotFound", "message": message })),
    )
        .into_response()
}

pub(crate) async fn credentials(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Response {
    task_role_credentials(&state, &headers, None)
}

pub(crate) async fn replica_credentials(
    Shared(state): Shared<Arc<State>>,
    Path(replica): Path<String>,
    headers: HeaderMap,
) -> Response {
    task_role_credentials(&state, &headers, Some(&replica))
}

/// The task role's credentials for one replica's session, once the authorization token is
/// checked.
fn task_role_credentials(state: &State, headers: &HeaderMap, replica: Option<&str>) -> Response {
    let sent = headers.get("authorization").and_then(|v| v.to_str().ok());
    if sent != Some(state.ecs_auth_token.as_str()) {
        let message = if sent.is_none() {
            "missing Authorization header: set AWS_CONTAINER_AUTHORIZATION_TOKEN from `mp-emulator env`"
        } else {
            "the Authorization header does not match this emulator's AWS_CONTAINER_AUTHORIZATION_TOKEN"
        };
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "code": "AccessDenied", "message": message })),
        )
            .into_response();
    }
    match CredentialSource::EcsTaskRole.session(replica) {
        Ok(session) => Json(session.to_json()).into_response(),
        Err(message) => not_found(message),
    }
}
