//! Which WebAssembly features a module uses beyond the MVP, read off its
//! sections and every operator of its code (wasmparser's per-operator
//! proposal tags), so that `strata inspect` can say which engines can run
//! it before the user finds out at load time.
//!
//! The list is of what the module *uses*, not what a validator would have
//! to enable: a feature every engine has had for years (sign extension,
//! mutable globals, multi-value) is still named, as engines' tables name
//! it.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use wasmparser::{
    BlockType, CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValType, VisitOperator, VisitSimdOperator,
};

/// A feature, by the name of its proposal in the WebAssembly feature
/// tables (webassembly.org/features). Ordered as they print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    MultiMemory,
    Memory64,
    Threads,
    ExceptionHandling,
    LegacyExceptions,
    TailCall,
    Simd,
    RelaxedSimd,
    Gc,
    FunctionReferences,
    ReferenceTypes,
    BulkMemory,
    MultiValue,
    MutableGlobals,
    SignExtension,
    SaturatingFloatToInt,
    WideArithmetic,
    StackSwitching,
    Other(&'static str),
}

impl Feature {
    pub fn name(self) -> &'static str {
        match self {
            Feature::MultiMemory => "multi-memory",
            Feature::Memory64 => "memory64",
            Feature::Threads => "threads",
            Feature::ExceptionHandling => "exception-handling",
            Feature::LegacyExceptions => "legacy-exceptions",
            Feature::TailCall => "tail-call",
            Feature::Simd => "simd",
            Feature::RelaxedSimd => "relaxed-simd",
            Feature::Gc => "gc",
            Feature::FunctionReferences => "function-references",
            Feature::ReferenceTypes => "reference-types",
            Feature::BulkMemory => "bulk-memory",
            Feature::MultiValue => "multi-value",
            Feature::MutableGlobals => "mutable-globals",
            Feature::SignExtension => "sign-extension",
            Feature::SaturatingFloatToInt => "non-trapping-float-to-int",
            Feature::WideArithmetic => "wide-arithmetic",
            Feature::StackSwitching => "stack-switching",
            Feature::Other(name) => name,
        }
    }

    /// The feature of an operator, from wasmparser's proposal tag; `None`
    /// for the MVP's.
    fn of_proposal(proposal: &'static str) -> Option<Feature> {
        Some(match proposal {
            "mvp" => return None,
            "sign_extension" => Feature::SignExtension,
            "saturating_float_to_int" => Feature::SaturatingFloatToInt,
            "bulk_memory" => Feature::BulkMemory,
            "reference_types" => Feature::ReferenceTypes,
            "simd" => Feature::Simd,
            "relaxed_simd" => Feature::RelaxedSimd,
            "threads" | "shared_everything_threads" => Feature::Threads,
            "exceptions" => Feature::ExceptionHandling,
            "legacy_exceptions" => Feature::LegacyExceptions,
            "tail_call" => Feature::TailCall,
            "function_references" => Feature::FunctionReferences,
            "gc" => Feature::Gc,
            "wide_arithmetic" => Feature::WideArithmetic,
            "stack_switching" => Feature::StackSwitching,
            other => Feature::Other(other),
        })
    }
}

/// The engines a wrapped module runs on, by its features: every wrapped
/// module has two memories (the guest's and the adapter's). The versions
/// are the ones the tests run (docs/engines.md has the table).
pub fn engines_line(features: &BTreeSet<Feature>) -> String {
    let mut line = "needs multi-memory: tested on wasmtime 48, Node 24, Deno 2.9, Bun 1.4, Chromium 156, \
                    Firefox ESR 153 (Node 22 with browser_wasi_shim only; Node 20 refuses it)"
        .to_owned();
    if features.contains(&Feature::ExceptionHandling) || features.contains(&Feature::LegacyExceptions) {
        line.push_str("; exception-handling: wasmtime run -W exceptions=y");
    }
    if features.contains(&Feature::Threads) {
        line.push_str("; threads: wasmtime run -W threads=y");
    }
    line.push_str("; see docs/engines.md");
    line
}

/// The features `module` uses. An error if it does not parse.
pub fn features(module: &[u8]) -> Result<BTreeSet<Feature>> {
    let mut uses = Uses::default();
    let mut memories = 0usize;
    for payload in Parser::new(0).parse_all(module) {
        match payload.context("not a valid WebAssembly module")? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    match import?.ty {
                        TypeRef::Memory(memory) => {
                            memories += 1;
                            uses.memory(memory.memory64, memory.shared);
                        }
                        TypeRef::Global(global) if global.mutable => uses.insert(Feature::MutableGlobals),
                        TypeRef::Tag(_) => uses.insert(Feature::ExceptionHandling),
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory?;
                    memories += 1;
                    uses.memory(memory.memory64, memory.shared);
                }
            }
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(func) => {
                                if func.results().len() > 1 {
                                    uses.insert(Feature::MultiValue);
                                }
                                for ty in func.params().iter().chain(func.results()) {
                                    uses.value_type(*ty);
                                }
                            }
                            _ => uses.insert(Feature::Gc),
                        }
                    }
                }
            }
            Payload::TableSection(reader) => {
                if reader.count() > 1 {
                    uses.insert(Feature::ReferenceTypes);
                }
            }
            Payload::TagSection(_) => uses.insert(Feature::ExceptionHandling),
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global?;
                    uses.value_type(global.ty.content_type);
                    uses.operators(global.init_expr.get_operators_reader())?;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    if export?.kind == ExternalKind::Global {
                        // Whether it is mutable is the global's; an export
                        // of any global was the proposal's other half.
                        uses.insert(Feature::MutableGlobals);
                    }
                }
            }
            Payload::DataCountSection { .. } => uses.insert(Feature::BulkMemory),
            Payload::CodeSectionEntry(body) => {
                for local in body.get_locals_reader()? {
                    uses.value_type(local?.1);
                }
                uses.operators(body.get_operators_reader()?)?;
            }
            _ => {}
        }
    }
    if memories > 1 {
        uses.insert(Feature::MultiMemory);
    }
    Ok(uses.features)
}

/// What the visit found.
#[derive(Default)]
struct Uses {
    features: BTreeSet<Feature>,
}

impl Uses {
    fn insert(&mut self, feature: Feature) {
        self.features.insert(feature);
    }

    fn memory(&mut self, memory64: bool, shared: bool) {
        if memory64 {
            self.insert(Feature::Memory64);
        }
        if shared {
            self.insert(Feature::Threads);
        }
    }

    fn value_type(&mut self, ty: ValType) {
        match ty {
            ValType::V128 => self.insert(Feature::Simd),
            ValType::Ref(_) => self.insert(Feature::ReferenceTypes),
            _ => {}
        }
    }

    fn block_type(&mut self, ty: BlockType) {
        if let BlockType::FuncType(_) = ty {
            self.insert(Feature::MultiValue);
        }
    }

    fn operators(&mut self, mut reader: wasmparser::OperatorsReader<'_>) -> Result<()> {
        while !reader.eof() {
            reader.visit_operator(self)?;
        }
        Ok(())
    }

    fn saw(&mut self, proposal: &'static str) {
        if let Some(feature) = Feature::of_proposal(proposal) {
            self.insert(feature);
        }
    }
}

/// One visit method per operator: notes the operator's proposal (and a
/// block type that names a function type: multi-value).
macro_rules! define_visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(, $arg: $argty)*)?) {
                $($(define_visit!(@arg self $arg $arg);)*)?
                self.saw(stringify!($proposal));
            }
        )*
    };
    // The name is matched, the value used by its own (hygienic) token.
    (@arg $self:ident blockty $value:ident) => { $self.block_type($value) };
    (@arg $self:ident $name:ident $value:ident) => { let _ = $value; };
}

impl<'a> VisitOperator<'a> for Uses {
    type Output = ();

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = ()>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_visit);
}

impl VisitSimdOperator<'_> for Uses {
    wasmparser::for_each_visit_simd_operator!(define_visit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(wat: &str) -> Vec<&'static str> {
        features(&wat::parse_str(wat).unwrap()).unwrap().into_iter().map(Feature::name).collect()
    }

    #[test]
    fn an_mvp_module_uses_nothing() {
        assert!(of("(module (memory 1) (func (result i32) (i32.add (i32.const 1) (i32.const 2))))").is_empty());
    }

    #[test]
    fn sections_and_operators_name_their_features() {
        assert_eq!(of("(module (memory 1) (memory 1))"), ["multi-memory"]);
        assert_eq!(of("(module (memory i64 1))"), ["memory64"]);
        assert_eq!(of("(module (memory 1 1 shared))"), ["threads"]);
        assert_eq!(of("(module (tag))"), ["exception-handling"]);
        assert_eq!(of("(module (func (result i32 i32) i32.const 0 i32.const 1))"), ["multi-value"]);
        assert_eq!(
            of("(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))))"),
            ["bulk-memory"]
        );
        assert_eq!(of("(module (func (result i32) (i32.extend8_s (i32.const 1))))"), ["sign-extension"]);
        assert_eq!(of("(module (func $f (return_call $f)))"), ["tail-call"]);
        assert_eq!(of("(module (func (drop (i32x4.splat (i32.const 1)))))"), ["simd"]);
        assert_eq!(of(r#"(module (global (export "g") (mut i32) (i32.const 0)))"#), ["mutable-globals"]);
    }
}
