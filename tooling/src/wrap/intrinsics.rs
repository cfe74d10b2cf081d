//! The intrinsics contract (`adapter/src/guest.rs`): what each function the
//! adapter imports from `strata_intrinsics` is, and the one instruction
//! that replaces a call to it.

use walrus::ir::{
    ExtendedLoad, GlobalGet, Instr, Load, LoadKind, MemArg, MemoryCopy, MemoryFill, MemorySize, Store, StoreKind,
};
use walrus::{GlobalId, MemoryId, ValType};

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

/// What the instructions that replace intrinsic calls refer to, in the
/// fused module.
#[derive(Clone, Copy, Debug)]
pub struct Targets {
    /// The guest's memory 0.
    pub guest: MemoryId,
    /// The adapter's memory.
    pub adapter: MemoryId,
    /// The immutable globals holding the image's offset in adapter memory
    /// and its length (both 0 without an image).
    pub image_base: GlobalId,
    pub image_len: GlobalId,
}

impl Intrinsic {
    /// The instruction a call to this intrinsic becomes. Operands are
    /// already on the stack in the contract's order, which is each
    /// instruction's own operand order. Accesses use offset 0 and
    /// alignment 1 (any address is valid wasm; the adapter checks
    /// preview1's alignment rules itself).
    pub fn instr(self, targets: &Targets) -> Instr {
        let guest = targets.guest;
        let arg = MemArg { align: 1, offset: 0 };
        let load = |kind| Instr::Load(Load { memory: guest, kind, arg });
        let store = |kind| Instr::Store(Store { memory: guest, kind, arg });
        match self {
            Intrinsic::CopyIn => Instr::MemoryCopy(MemoryCopy { src: guest, dst: targets.adapter }),
            Intrinsic::CopyOut => Instr::MemoryCopy(MemoryCopy { src: targets.adapter, dst: guest }),
            Intrinsic::Fill => Instr::MemoryFill(MemoryFill { memory: guest }),
            Intrinsic::LoadU8 => load(LoadKind::I32_8 { kind: ExtendedLoad::ZeroExtend }),
            Intrinsic::LoadU16 => load(LoadKind::I32_16 { kind: ExtendedLoad::ZeroExtend }),
            Intrinsic::LoadU32 => load(LoadKind::I32 { atomic: false }),
            Intrinsic::LoadU64 => load(LoadKind::I64 { atomic: false }),
            Intrinsic::StoreU8 => store(StoreKind::I32_8 { atomic: false }),
            Intrinsic::StoreU16 => store(StoreKind::I32_16 { atomic: false }),
            Intrinsic::StoreU32 => store(StoreKind::I32 { atomic: false }),
            Intrinsic::StoreU64 => store(StoreKind::I64 { atomic: false }),
            Intrinsic::GuestPages => Instr::MemorySize(MemorySize { memory: guest }),
            Intrinsic::ImageBase => Instr::GlobalGet(GlobalGet { global: targets.image_base }),
            Intrinsic::ImageLen => Instr::GlobalGet(GlobalGet { global: targets.image_len }),
        }
    }
}
