//! The AWS Marketplace product-code format: 1-255 chars of `[-a-zA-Z0-9/=:_.@]`.

pub const MAX_LEN: usize = 255;
pub const ALLOWED: &str = "letters, digits and `-/=:_.@`";

/// Why `code` is not a valid product code, or `None` if it is.
pub fn problem(code: &str) -> Option<String> {
    if code.is_empty() {
        return Some("a product code cannot be empty".into());
    }
    if let Some(bad) = code.chars().find(|c| !allowed(*c)) {
        return Some(format!(
            "product code {code:?} contains {bad:?}, which is not allowed: use only {ALLOWED}"
        ));
    }
    let len = code.chars().count();
    if len > MAX_LEN {
        return Some(format!(
            "product code is {len} characters long; the limit is {MAX_LEN}"
        ));
    }
    None
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-/=:_.@".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes() {
        assert_eq!(problem("5sk2cmh9n3vb1ex4ofpq7rl8t"), None);
        assert_eq!(problem("a-b/c=d:e_f.g@h"), None);
        assert_eq!(problem(&"a".repeat(255)), None);
    }

    #[test]
    fn rejects_and_says_why() {
        assert!(problem("").unwrap().contains("empty"));
        assert!(problem("abc def").unwrap().contains("' '"));
        assert!(
            problem(&"a".repeat(256))
                .unwrap()
                .contains("256 characters")
        );
    }
}
