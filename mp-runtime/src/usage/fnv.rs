//! FNV-1a, 128-bit: a hash that never changes, for client tokens and journal checksums.

/// Stable across Rust versions and platforms (unlike std's hasher), which
/// matters because a token must be the same after an upgrade that replays a journal. Not a
/// secret: collisions only need to be unlikely among one seller's tasks.
pub(crate) struct Fnv128(pub(crate) u128);

impl Fnv128 {
    pub(crate) const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    pub(crate) fn new() -> Self {
        Fnv128(Self::OFFSET)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_test_vectors() {
        let mut empty = Fnv128::new();
        empty.write(b"");
        assert_eq!(empty.0, Fnv128::OFFSET);
        let mut a = Fnv128::new();
        a.write(b"a");
        assert_eq!(a.0, 0xd228cb696f1a8caf78912b704e4a8964);
    }
}
