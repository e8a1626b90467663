/// Highest-random-weight hashing: picks, for a key, the member with the highest hash of
/// (key, member). When a member leaves, only its keys move; all processes agree without talking.
///
/// FNV-1a (64-bit) with a final mix: stable across processes and runs, unlike `Hasher`.
public enum RendezvousHash {
    public static func weight(key: some Sequence<UInt8>, member: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h = (h ^ 0xff) &* 0x0000_0100_0000_01b3
        for b in member { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        // splitmix64 finalizer: FNV alone clusters on short, similar inputs.
        h ^= h >> 30; h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27; h = h &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }

    /// The member that owns `key`, or nil if there are none. Ties go to the smaller member.
    public static func owner<Member: Sequence<UInt8>>(of key: String, among members: some Collection<Member>) -> Member? {
        var best: (Member, UInt64)?
        for m in members {
            let w = weight(key: key.utf8, member: m)
            if let b = best, b.1 > w || (b.1 == w && !m.lexicographicallyPrecedes(b.0)) { continue }
            best = (m, w)
        }
        return best?.0
    }
}
