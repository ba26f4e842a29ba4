//! ECS task metadata v4 (`$ECS_CONTAINER_METADATA_URI_V4` and `.../task`) and the container
//! credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, checked against
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), as the ECS agent serves them to a task.

use crate::credentials::CredentialSource;
use crate::state::State;
use axum::Json;
use axum::extract::State as Shared;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

pub(crate) const METADATA_PATH: &str = "/ecs/v4/container";
pub(crate) const TASK_PATH: &str = "/ecs/v4/container/task";
pub(crate) const CREDENTIALS_PATH: &str = "/ecs/credentials";

/// The account every emulated ARN lives in.
pub const ACCOUNT_ID: &str = "111122223333";

pub(crate) fn task_arn(state: &State) -> String {
    format!(
        "arn:aws:ecs:{}:{ACCOUNT_ID}:task/mp-emulator/{}",
        state.config.region, state.task_id
    )
}

fn availability_zone(state: &State) -> String {
    format!("{}a", state.config.region)
}

fn container(state: &State) -> Value {
    json!({
        "DockerId": format!("{}-app", state.task_id),
        "Name": "app",
        "DockerName": "ecs-mp-emulator-app",
        "Image": "mp-emulator/app:latest",
        "Labels": {
            "com.amazonaws.ecs.cluster": "mp-emulator",
            "com.amazonaws.ecs.task-arn": task_arn(state),
        },
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "Type": "NORMAL",
        "ContainerARN": format!(
            "arn:aws:ecs:{}:{ACCOUNT_ID}:container/mp-emulator/{}/app",
            state.config.region, state.task_id
        ),
    })
}

pub(crate) async fn container_metadata(Shared(state): Shared<Arc<State>>) -> Json<Value> {
    Json(container(&state))
}

pub(crate) async fn task_metadata(Shared(state): Shared<Arc<State>>) -> Json<Value> {
    Json(json!({
        "Cluster": format!("arn:aws:ecs:{}:{ACCOUNT_ID}:cluster/mp-emulator", state.config.region),
        "TaskARN": task_arn(&state),
        "Family": "mp-emulator",
        "Revision": "1",
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "AvailabilityZone": availability_zone(&state),
        "LaunchType": "FARGATE",
        "Containers": [container(&state)],
    }))
}

pub(crate) async fn credentials(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Response {
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
    Json(CredentialSource::EcsTaskRole.credentials().to_json()).into_response()
}
