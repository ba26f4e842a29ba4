//! Which running task/pod this process is, for client tokens: two tasks must never share a
//! token for the same dimension and hour, and a restart inside the same task (a container
//! restart in a pod, a journal replay) should keep its tokens.

use crate::env::Env;

/// ECS: the container's metadata URI, unique per container of a task. EKS: `HOSTNAME`,
/// the pod name. Elsewhere: a random id, so at least this process is distinct.
pub(crate) fn task_identity(env: &dyn Env) -> String {
    if let Some(uri) = env.var("ECS_CONTAINER_METADATA_URI_V4") {
        return format!("ecs:{uri}");
    }
    if let Some(host) = env.var("HOSTNAME") {
        return format!("host:{host}");
    }
    let mut bytes = [0u8; 16];
    // A failing OS RNG leaves zeros: still a valid identity, just not a unique one.
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("process:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::env_of;

    #[test]
    fn ecs_then_pod_then_random() {
        let ecs = env_of(&[
            (
                "ECS_CONTAINER_METADATA_URI_V4",
                "http://169.254.170.2/v4/abc-123",
            ),
            ("HOSTNAME", "ip-10-0-0-1"),
        ]);
        assert_eq!(task_identity(&ecs), "ecs:http://169.254.170.2/v4/abc-123");
        let pod = env_of(&[("HOSTNAME", "web-7d9f-x2k")]);
        assert_eq!(task_identity(&pod), "host:web-7d9f-x2k");
        let none = env_of(&[]);
        let (a, b) = (task_identity(&none), task_identity(&none));
        assert!(a.starts_with("process:") && a != b);
    }
}
