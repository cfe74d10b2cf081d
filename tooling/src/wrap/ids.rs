//! Translating walrus ids from the adapter's module into the fused one.
//!
//! Every walrus id carries its arena, so an adapter id and a fused-module
//! id never compare equal. That is what makes translation idempotent, as it
//! must be: walrus's mutable visitor reaches some id fields twice (once
//! through `visit_<instr>_mut`, once through the instruction's own
//! `visit_mut`), and the second visit sees an id that is already
//! translated. [`IdMap::translate`] leaves such an id alone, and reports
//! any id that is neither (a bug here, never silently emitted).

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use anyhow::{bail, Result};
use walrus::ir::{Instr, InstrSeqId, InstrSeqType, LegacyCatch, LocalId, TryTableCatch, VisitorMut};
use walrus::{
    DataId, ElementId, FunctionId, GlobalId, HeapType, MemoryId, ModuleLocals, ModuleTypes, RefType, TableId, TagId,
    TypeId, ValType,
};

/// Adapter ids of one kind and the fused-module ids they became.
#[derive(Debug)]
pub struct IdMap<I> {
    forward: HashMap<I, I>,
    /// Every value of `forward`: ids that are already translated.
    translated: HashSet<I>,
}

impl<I> Default for IdMap<I> {
    fn default() -> Self {
        IdMap { forward: HashMap::new(), translated: HashSet::new() }
    }
}

impl<I: Copy + Eq + Hash> IdMap<I> {
    pub fn insert(&mut self, from: I, to: I) {
        self.forward.insert(from, to);
        self.translated.insert(to);
    }

    /// Records `id`, an id of the fused module that copied code may name
    /// without it coming from the adapter (the guest's memory, the image
    /// globals).
    pub fn allow(&mut self, id: I) {
        self.translated.insert(id);
    }

    pub fn get(&self, from: I) -> Option<I> {
        self.forward.get(&from).copied()
    }

    /// Rewrites `id` to its fused-module id. Returns false, changing
    /// nothing, if `id` is neither an adapter id this map knows nor one it
    /// produced.
    #[must_use]
    pub fn translate(&self, id: &mut I) -> bool {
        match self.forward.get(id) {
            Some(&to) => {
                *id = to;
                true
            }
            None => self.translated.contains(id),
        }
    }
}

/// The module-level items copied so far: filled by `merge` before any
/// function body is translated.
#[derive(Debug, Default)]
pub struct Ids {
    pub funcs: IdMap<FunctionId>,
    pub globals: IdMap<GlobalId>,
    pub memories: IdMap<MemoryId>,
    pub tables: IdMap<TableId>,
    pub data: IdMap<DataId>,
    pub elements: IdMap<ElementId>,
    pub tags: IdMap<TagId>,
    /// Filled lazily: only the types something copied refers to.
    pub types: IdMap<TypeId>,
    /// Filled lazily, as function bodies are copied.
    pub locals: IdMap<LocalId>,
}

/// The adapter's and the fused module's type and local arenas, which
/// translation extends on demand.
pub struct Arenas<'a> {
    pub adapter_types: &'a ModuleTypes,
    pub types: &'a mut ModuleTypes,
    pub adapter_locals: &'a ModuleLocals,
    pub locals: &'a mut ModuleLocals,
}

impl Ids {
    /// The fused module's id for the adapter function type `id`, added on
    /// first use (walrus deduplicates equal function types).
    pub fn ty(&mut self, arenas: &mut Arenas, id: TypeId) -> Result<TypeId> {
        if let Some(to) = self.types.get(id) {
            return Ok(to);
        }
        let ty = arenas.adapter_types.get(id);
        let Some(func) = ty.as_function() else {
            bail!("the adapter defines a non-function type, which strata does not fuse");
        };
        let params = val_types(func.params())?;
        let results = val_types(func.results())?;
        let to = arenas.types.add(&params, &results);
        self.types.insert(id, to);
        Ok(to)
    }

    /// The fused module's local for the adapter local `id`, added (with its
    /// type and name) on first use.
    pub fn local(&mut self, arenas: &mut Arenas, id: LocalId) -> Result<LocalId> {
        if let Some(to) = self.locals.get(id) {
            return Ok(to);
        }
        let local = arenas.adapter_locals.get(id);
        let to = arenas.locals.add(val_type(local.ty())?);
        arenas.locals.get_mut(to).name.clone_from(&local.name);
        self.locals.insert(id, to);
        Ok(to)
    }

    /// `seq`'s type, translated.
    pub fn seq_type(&mut self, arenas: &mut Arenas, seq: InstrSeqType) -> Result<InstrSeqType> {
        Ok(match seq {
            InstrSeqType::Simple(ty) => InstrSeqType::Simple(ty.map(val_type).transpose()?),
            InstrSeqType::MultiValue(id) => InstrSeqType::MultiValue(self.ty(arenas, id)?),
        })
    }
}

/// Value types need no translation unless they name a defined type, which
/// only the GC proposal's types do; the adapter (Rust, linear memory) has
/// none.
pub fn val_type(ty: ValType) -> Result<ValType> {
    if let ValType::Ref(RefType { heap_type: HeapType::Concrete(_) | HeapType::Exact(_), .. }) = ty {
        bail!("the adapter uses a typed reference (GC proposal), which strata does not fuse");
    }
    Ok(ty)
}

fn val_types(types: &[ValType]) -> Result<Vec<ValType>> {
    types.iter().map(|&ty| val_type(ty)).collect()
}

/// Translates every id in a function body, driven by
/// [`walrus::ir::dfs_pre_order_mut`]: walrus's visitor reaches the
/// module-level ids and nested sequences; branch targets and catch clauses,
/// which it skips, are translated in `visit_instr_mut`, which the walk
/// calls before it reads a nested sequence's id.
pub struct Translator<'a, 'b> {
    pub ids: &'a mut Ids,
    pub arenas: &'a mut Arenas<'b>,
    /// This function's instruction sequences: adapter → fused.
    pub seqs: &'a IdMap<InstrSeqId>,
    /// The first id that could not be translated, reported by
    /// [`Translator::finish`] (a visitor can not return errors).
    pub failure: Option<anyhow::Error>,
}

impl Translator<'_, '_> {
    pub fn finish(self) -> Result<()> {
        match self.failure {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn seq(&mut self, id: &mut InstrSeqId) {
        if !self.seqs.translate(id) {
            self.fail("a branch target outside its function");
        }
    }

    #[cold]
    fn fail(&mut self, what: &str) {
        if self.failure.is_none() {
            self.failure = Some(anyhow::anyhow!("internal error: an adapter instruction refers to {what}"));
        }
    }
}

impl VisitorMut for Translator<'_, '_> {
    fn visit_instr_mut(&mut self, instr: &mut Instr, _: &mut walrus::InstrLocId) {
        match instr {
            Instr::Br(br) => self.seq(&mut br.block),
            Instr::BrIf(br) => self.seq(&mut br.block),
            Instr::BrTable(table) => {
                for block in table.blocks.iter_mut() {
                    self.seq(block);
                }
                self.seq(&mut table.default);
            }
            Instr::TryTable(try_table) => {
                for catch in &mut try_table.catches {
                    match catch {
                        TryTableCatch::Catch { tag, label } | TryTableCatch::CatchRef { tag, label } => {
                            self.visit_tag_id_mut(tag);
                            self.seq(label);
                        }
                        TryTableCatch::CatchAll { label } | TryTableCatch::CatchAllRef { label } => self.seq(label),
                    }
                }
            }
            Instr::Try(try_) => {
                for catch in &mut try_.catches {
                    match catch {
                        LegacyCatch::Catch { tag, handler } => {
                            self.visit_tag_id_mut(tag);
                            self.seq(handler);
                        }
                        LegacyCatch::CatchAll { handler } => self.seq(handler),
                        LegacyCatch::Delegate { .. } => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn visit_instr_seq_id_mut(&mut self, id: &mut InstrSeqId) {
        self.seq(id);
    }

    fn visit_local_id_mut(&mut self, id: &mut LocalId) {
        if self.ids.locals.translate(id) {
            return;
        }
        match self.ids.local(self.arenas, *id) {
            Ok(to) => *id = to,
            Err(error) => self.failure = self.failure.take().or(Some(error)),
        }
    }

    fn visit_type_id_mut(&mut self, id: &mut TypeId) {
        if self.ids.types.translate(id) {
            return;
        }
        match self.ids.ty(self.arenas, *id) {
            Ok(to) => *id = to,
            Err(error) => self.failure = self.failure.take().or(Some(error)),
        }
    }

    fn visit_function_id_mut(&mut self, id: &mut FunctionId) {
        if !self.ids.funcs.translate(id) {
            self.fail("a function that was not copied");
        }
    }

    fn visit_global_id_mut(&mut self, id: &mut GlobalId) {
        if !self.ids.globals.translate(id) {
            self.fail("a global that was not copied");
        }
    }

    fn visit_memory_id_mut(&mut self, id: &mut MemoryId) {
        if !self.ids.memories.translate(id) {
            self.fail("a memory that was not copied");
        }
    }

    fn visit_table_id_mut(&mut self, id: &mut TableId) {
        if !self.ids.tables.translate(id) {
            self.fail("a table that was not copied");
        }
    }

    fn visit_data_id_mut(&mut self, id: &mut DataId) {
        if !self.ids.data.translate(id) {
            self.fail("a data segment that was not copied");
        }
    }

    fn visit_element_id_mut(&mut self, id: &mut ElementId) {
        if !self.ids.elements.translate(id) {
            self.fail("an element segment that was not copied");
        }
    }

    fn visit_tag_id_mut(&mut self, id: &mut TagId) {
        if !self.ids.tags.translate(id) {
            self.fail("a tag that was not copied");
        }
    }
}
