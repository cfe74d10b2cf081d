//! The guest's function bodies in the fused module: copied as bytes, with
//! only the immediates that name functions rewritten (`call`,
//! `return_call`, `ref.func`; see `layout` for why nothing else moves).
//! Nearly all of a large guest's bytes are here, so this never builds an
//! instruction list: it reads each body's operators once to find those
//! immediates and copies the bytes between them. A body with none to
//! change is copied whole. The bodies are split into one contiguous run
//! per core.

use anyhow::{anyhow, Result};
use wasmparser::{FunctionBody, Operator};

use super::encode::push_leb_u32;

/// The code section entries (size, then body) of `bodies`, in order, as
/// several buffers to be written one after the other. `funcs` maps the
/// guest's function indices to the fused module's.
pub fn guest_bodies(module: &[u8], bodies: &[FunctionBody], funcs: &[u32]) -> Result<Vec<Vec<u8>>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let runs = split_by_size(bodies, threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = runs.into_iter().map(|run| scope.spawn(move || splice_run(module, run, funcs))).collect();
        workers.into_iter().map(|worker| worker.join().expect("a splice thread panicked")).collect()
    })
}

/// `bodies` cut into at most `parts` contiguous runs of similar byte size.
fn split_by_size<'b, 'a>(bodies: &'b [FunctionBody<'a>], parts: usize) -> Vec<&'b [FunctionBody<'a>]> {
    let total: usize = bodies.iter().map(|body| body.range().len()).sum();
    let share = total.div_ceil(parts.max(1)).max(1);
    let mut runs = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (i, body) in bodies.iter().enumerate() {
        size += body.range().len();
        if size >= share {
            runs.push(&bodies[start..=i]);
            (start, size) = (i + 1, 0);
        }
    }
    if start < bodies.len() {
        runs.push(&bodies[start..]);
    }
    runs
}

fn splice_run(module: &[u8], bodies: &[FunctionBody], funcs: &[u32]) -> Result<Vec<u8>> {
    let total: usize = bodies.iter().map(|body| body.range().len() + 5).sum();
    let mut out = Vec::with_capacity(total + total / 64);
    // (offset of the opcode byte, end of its immediate, new function index)
    let mut edits: Vec<(usize, usize, u32)> = Vec::new();
    let mut spliced = Vec::new();
    for body in bodies {
        edits.clear();
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            let at = reader.original_position();
            let function_index = match reader.read()? {
                Operator::Call { function_index }
                | Operator::ReturnCall { function_index }
                | Operator::RefFunc { function_index } => function_index,
                _ => continue,
            };
            let fused = *funcs
                .get(function_index as usize)
                .ok_or_else(|| anyhow!("function index {function_index} out of bounds (at offset {at:#x})"))?;
            if fused != function_index {
                edits.push((at, reader.original_position(), fused));
            }
        }
        let range = body.range();
        if edits.is_empty() {
            push_leb_u32(&mut out, range.len() as u32);
            out.extend_from_slice(&module[range]);
            continue;
        }
        spliced.clear();
        let mut copied = range.start;
        for &(at, end, fused) in &edits {
            // The opcode byte (these three are one byte each), then the new
            // index.
            spliced.extend_from_slice(&module[copied..=at]);
            push_leb_u32(&mut spliced, fused);
            copied = end;
        }
        spliced.extend_from_slice(&module[copied..range.end]);
        push_leb_u32(&mut out, spliced.len() as u32);
        out.extend_from_slice(&spliced);
    }
    Ok(out)
}
