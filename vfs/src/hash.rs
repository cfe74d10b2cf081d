//! The hash the filesystem uses where a lookup must not depend on how many
//! entries there are: hashbrown with foldhash at a fixed seed. The seed is
//! fixed so that a guest's run is the same every time; a guest that picks
//! colliding names only slows itself.

/// The filesystem's hasher.
pub type State = foldhash::fast::FixedState;

/// A hash map with the filesystem's hasher.
pub type HashMap<K, V> = hashbrown::HashMap<K, V, State>;

/// The filesystem's hash of a name.
pub fn hash_name(name: &[u8]) -> u64 {
    use core::hash::BuildHasher;
    State::default().hash_one(name)
}
