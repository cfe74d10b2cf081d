//! Copying one adapter function's body into its shell in the fused module.
//!
//! A walrus function keeps its instruction sequences (the entry, every
//! block, loop, if arm and try body) in an arena of its own. Each sequence
//! gets a new sequence in the shell first, so that every branch target
//! (`br`, `br_if`, `br_table`, `try_table` catch labels, legacy handlers:
//! fields walrus's visitor skips) has somewhere to point. Then the
//! instructions are cloned in, calls to intrinsics replaced by their
//! instruction ([`Intrinsic::instr`]), and one walk translates every id
//! ([`Translator`]).

use std::collections::HashMap;

use anyhow::Result;
use walrus::ir::{dfs_pre_order_mut, Call, Instr, InstrSeqId, InstrSeqType, LegacyCatch, Return, ReturnCall};
use walrus::{FunctionId, LocalFunction};

use super::ids::{Arenas, IdMap, Ids, Translator};
use super::intrinsics::{Intrinsic, Targets};

/// What a body copy needs besides the two functions.
pub struct Context<'a, 'b> {
    pub ids: &'a mut Ids,
    pub arenas: &'a mut Arenas<'b>,
    pub intrinsics: &'a HashMap<FunctionId, Intrinsic>,
    pub targets: &'a Targets,
}

/// Copies `from`'s body into `to`, a shell of the same type whose entry
/// sequence is empty and whose arguments are already in `cx.ids.locals`.
pub fn copy(from: &LocalFunction, to: &mut LocalFunction, cx: &mut Context) -> Result<()> {
    let sequences = sequences(from);
    let mut seqs = IdMap::default();
    let builder = to.builder_mut();
    seqs.insert(from.entry_block(), builder.func_body_id());
    for &seq in &sequences[1..] {
        let ty = cx.ids.seq_type(cx.arenas, from.block(seq).ty)?;
        seqs.insert(seq, builder.dangling_instr_seq(ty).id());
    }
    // The instructions, still naming adapter ids, intrinsic calls replaced.
    for &seq in &sequences {
        let source = from.block(seq);
        let mut instrs = Vec::with_capacity(source.instrs.len());
        for (instr, loc) in &source.instrs {
            match instr {
                Instr::Call(Call { func }) if cx.intrinsics.contains_key(func) => {
                    instrs.push((cx.intrinsics[func].instr(cx.targets), *loc));
                }
                // A tail call of an intrinsic: the instruction, then return.
                Instr::ReturnCall(ReturnCall { func }) if cx.intrinsics.contains_key(func) => {
                    instrs.push((cx.intrinsics[func].instr(cx.targets), *loc));
                    instrs.push((Instr::Return(Return {}), *loc));
                }
                _ => instrs.push((instr.clone(), *loc)),
            }
        }
        let target = seqs.get(seq).expect("every sequence was given a copy above");
        *builder.instr_seq(target).instrs_mut() = instrs;
    }
    // Then every id translated, in one walk. The shell's entry sequence
    // may have a type the shell was made with (multiple results): a
    // fused-module id already.
    let entry = to.entry_block();
    if let InstrSeqType::MultiValue(ty) = to.block(entry).ty {
        cx.ids.types.allow(ty);
    }
    let mut translator = Translator { ids: cx.ids, arenas: cx.arenas, seqs: &seqs, failure: None };
    dfs_pre_order_mut(&mut translator, to, entry);
    translator.finish()
}

/// Every instruction sequence of `func`, the entry first, each nested one
/// after the sequence holding it. A walk over a worklist: bodies can nest
/// deeper than the stack would allow recursion.
fn sequences(func: &LocalFunction) -> Vec<InstrSeqId> {
    let mut found = vec![func.entry_block()];
    let mut next = 0;
    while let Some(&seq) = found.get(next) {
        next += 1;
        for (instr, _) in &func.block(seq).instrs {
            match instr {
                Instr::Block(block) => found.push(block.seq),
                Instr::Loop(block) => found.push(block.seq),
                Instr::IfElse(if_else) => found.extend([if_else.consequent, if_else.alternative]),
                Instr::TryTable(try_table) => found.push(try_table.seq),
                Instr::Try(try_) => {
                    found.push(try_.seq);
                    for catch in &try_.catches {
                        match catch {
                            LegacyCatch::Catch { handler, .. } | LegacyCatch::CatchAll { handler } => {
                                found.push(*handler)
                            }
                            LegacyCatch::Delegate { .. } => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found
}
