//! The intrinsics contract (`adapter/src/guest.rs`): what each function the
//! adapter imports from `strata_intrinsics` is, and the one instruction
//! that replaces a call to it.

use wasm_encoder::{Instruction, MemArg};
use wasmparser::ValType;

/// The import module of the intrinsics.
pub const MODULE: &str = "strata_intrinsics";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrinsic {
    CopyIn,
    CopyOut,
    Fill,
    LoadU8,
    LoadU16,
    LoadU32,
    LoadU64,
    StoreU8,
    StoreU16,
    StoreU32,
    StoreU64,
    GuestPages,
    ImageBase,
    ImageLen,
}

use ValType::{I32, I64};

impl Intrinsic {
    /// The intrinsic imported as `name`, with its `(params, results)`.
    pub fn by_name(name: &str) -> Option<(Intrinsic, &'static [ValType], &'static [ValType])> {
        let found: (Intrinsic, &'static [ValType], &'static [ValType]) = match name {
            "copy_in" => (Intrinsic::CopyIn, &[I32, I32, I32], &[]),
            "copy_out" => (Intrinsic::CopyOut, &[I32, I32, I32], &[]),
            "fill" => (Intrinsic::Fill, &[I32, I32, I32], &[]),
            "load_u8" => (Intrinsic::LoadU8, &[I32], &[I32]),
            "load_u16" => (Intrinsic::LoadU16, &[I32], &[I32]),
            "load_u32" => (Intrinsic::LoadU32, &[I32], &[I32]),
            "load_u64" => (Intrinsic::LoadU64, &[I32], &[I64]),
            "store_u8" => (Intrinsic::StoreU8, &[I32, I32], &[]),
            "store_u16" => (Intrinsic::StoreU16, &[I32, I32], &[]),
            "store_u32" => (Intrinsic::StoreU32, &[I32, I32], &[]),
            "store_u64" => (Intrinsic::StoreU64, &[I32, I64], &[]),
            "guest_pages" => (Intrinsic::GuestPages, &[], &[I32]),
            "image_base" => (Intrinsic::ImageBase, &[], &[I32]),
            "image_len" => (Intrinsic::ImageLen, &[], &[I32]),
            _ => return None,
        };
        Some(found)
    }
}

/// What the instructions that replace intrinsic calls refer to, as fused
/// module indices.
#[derive(Clone, Copy, Debug)]
pub struct Targets {
    /// The guest's memory 0.
    pub guest: u32,
    /// The adapter's memory.
    pub adapter: u32,
    /// The immutable globals holding the image's offset in adapter memory
    /// and its length (both 0 without an image).
    pub image_base: u32,
    pub image_len: u32,
}

impl Intrinsic {
    /// The instruction a call to this intrinsic becomes. Operands are
    /// already on the stack in the contract's order, which is each
    /// instruction's own operand order. Accesses use offset 0 and
    /// alignment 1 (any address is valid wasm; the adapter checks
    /// preview1's alignment rules itself).
    pub fn instruction(self, targets: &Targets) -> Instruction<'static> {
        let guest = targets.guest;
        let arg = MemArg { align: 0, offset: 0, memory_index: guest };
        match self {
            Intrinsic::CopyIn => Instruction::MemoryCopy { src_mem: guest, dst_mem: targets.adapter },
            Intrinsic::CopyOut => Instruction::MemoryCopy { src_mem: targets.adapter, dst_mem: guest },
            Intrinsic::Fill => Instruction::MemoryFill(guest),
            Intrinsic::LoadU8 => Instruction::I32Load8U(arg),
            Intrinsic::LoadU16 => Instruction::I32Load16U(arg),
            Intrinsic::LoadU32 => Instruction::I32Load(arg),
            Intrinsic::LoadU64 => Instruction::I64Load(arg),
            Intrinsic::StoreU8 => Instruction::I32Store8(arg),
            Intrinsic::StoreU16 => Instruction::I32Store16(arg),
            Intrinsic::StoreU32 => Instruction::I32Store(arg),
            Intrinsic::StoreU64 => Instruction::I64Store(arg),
            Intrinsic::GuestPages => Instruction::MemorySize(guest),
            Intrinsic::ImageBase => Instruction::GlobalGet(targets.image_base),
            Intrinsic::ImageLen => Instruction::GlobalGet(targets.image_len),
        }
    }
}
