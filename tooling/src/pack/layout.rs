//! Phase 2: number the inodes and encode every metadata record, with
//! strata-vfs's image layout (`strata_vfs::image::layout`, which the
//! adapter also uses when it saves a guest's tree), over the scanned tree.

use anyhow::{bail, Result};
use strata_vfs::image::layout::{self as image_layout, Kind as NodeKind, Meta as NodeMeta, Mount, NodeId};

use super::scan::{Kind, Tree};
use super::MAX_IMAGE_LEN;
use crate::display::human_size;
use crate::mapping::Mapping;

pub use image_layout::{Counts, Layout};

impl image_layout::Tree for Tree {
    fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn meta(&self, node: NodeId) -> NodeMeta {
        let meta = &self.nodes[node].meta;
        NodeMeta {
            perm: meta.perm,
            uid: meta.uid,
            gid: meta.gid,
            mtime_sec: meta.mtime_sec,
            mtime_nsec: meta.mtime_nsec,
        }
    }

    fn kind(&self, node: NodeId) -> NodeKind<'_> {
        match &self.nodes[node].kind {
            Kind::Dir { parent, entries, .. } => NodeKind::Dir { parent: *parent, entries: entries.len() },
            Kind::File { size, .. } => NodeKind::File { size: *size },
            Kind::Symlink { target } => NodeKind::Symlink { target },
        }
    }

    fn entry(&self, dir: NodeId, index: usize) -> (&[u8], NodeId) {
        match &self.nodes[dir].kind {
            Kind::Dir { entries, .. } => (&entries[index].name, entries[index].node),
            _ => unreachable!("only directories have entries"),
        }
    }
}

/// The image of `tree`, whose preopens are `mappings`, saving itself to
/// `save` (a guest path) when the guest ends.
pub(crate) fn layout(tree: &Tree, mappings: &[Mapping], save: Option<&[u8]>) -> Result<Layout> {
    let mounts: Vec<Mount> = mappings
        .iter()
        .map(|mapping| Mount::new(&mapping.name, mapping.read_only, mapping.tmpfs.map(|tmpfs| tmpfs.size_limit)))
        .collect();
    let Ok(layout) = Layout::new(tree, &mounts, save) else { bail!("the tree is too large: more than 2³² inodes") };
    // Also keeps every names offset within the records' u32 fields.
    let image_len = layout.header.image_len;
    if image_len > MAX_IMAGE_LEN {
        bail!(
            "the tree is too large: its image would be {}, over the limit of {} (the image and the adapter's own memory must fit in wasm32's 4 GiB)",
            human_size(image_len),
            human_size(MAX_IMAGE_LEN)
        );
    }
    Ok(layout)
}
