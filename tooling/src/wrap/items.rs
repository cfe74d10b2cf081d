//! The adapter's tags, tables, globals and element and data segments in
//! the guest. Their constant expressions may name functions and earlier
//! globals, so this runs after the function shells exist, in index order.
//! Names get a `strata:` prefix.

use anyhow::{bail, Result};
use walrus::ir::Value;
use walrus::{ConstExpr, ConstOp, DataKind, ElementItems, ElementKind, GlobalKind, MemoryId, Module, RefType, ValType};

use super::functions::{arenas, function};
use super::ids::{val_type, Ids};

/// Copies them all; active data goes to `adapter_memory`.
pub fn copy(guest: &mut Module, adapter: &Module, adapter_memory: MemoryId, ids: &mut Ids) -> Result<()> {
    for tag in adapter.tags.iter() {
        if !matches!(tag.kind, walrus::TagKind::Local) {
            bail!("the adapter imports an exception tag, which strata does not fuse");
        }
        let ty = ids.ty(&mut arenas(adapter, guest), tag.ty)?;
        let to = guest.tags.add(ty);
        guest.tags.get_mut(to).name = prefixed(tag.name.as_deref(), "tag");
        ids.tags.insert(tag.id(), to);
    }
    for table in adapter.tables.iter() {
        if table.import.is_some() {
            bail!("the adapter imports a table, which strata does not fuse");
        }
        let element_ty = ref_type(table.element_ty)?;
        let init = table.init.as_ref().map(|init| const_expr(ids, init)).transpose()?;
        let to = guest.tables.add_local_with_init(table.table64, table.initial, table.maximum, element_ty, init);
        guest.tables.get_mut(to).name = prefixed(table.name.as_deref(), "table");
        ids.tables.insert(table.id(), to);
    }
    for global in adapter.globals.iter() {
        let GlobalKind::Local(init) = &global.kind else {
            bail!("the adapter imports a global, which strata does not fuse");
        };
        let init = const_expr(ids, init)?;
        let to = guest.globals.add_local(val_type(global.ty)?, global.mutable, global.shared, init);
        guest.globals.get_mut(to).name = prefixed(global.name.as_deref(), "global");
        ids.globals.insert(global.id(), to);
    }
    for element in adapter.elements.iter() {
        let kind = match &element.kind {
            ElementKind::Passive => ElementKind::Passive,
            ElementKind::Declared => ElementKind::Declared,
            ElementKind::Active { table, offset } => ElementKind::Active {
                table: ids.tables.get(*table).expect("every table was copied"),
                offset: const_expr(ids, offset)?,
            },
        };
        let items = match &element.items {
            ElementItems::Functions(funcs) => {
                ElementItems::Functions(funcs.iter().map(|&func| function(ids, func)).collect::<Result<_>>()?)
            }
            ElementItems::Expressions(ty, exprs) => {
                ElementItems::Expressions(*ty, exprs.iter().map(|expr| const_expr(ids, expr)).collect::<Result<_>>()?)
            }
        };
        let to = guest.elements.add(kind.clone(), items);
        guest.elements.get_mut(to).name = prefixed(element.name.as_deref(), "elem");
        if let ElementKind::Active { table, .. } = kind {
            guest.tables.get_mut(table).elem_segments.insert(to);
        }
        ids.elements.insert(element.id(), to);
    }
    for data in adapter.data.iter() {
        let kind = match &data.kind {
            DataKind::Passive => DataKind::Passive,
            DataKind::Active { offset: offset @ ConstExpr::Value(Value::I32(_)), .. } => {
                DataKind::Active { memory: adapter_memory, offset: offset.clone() }
            }
            // wasmtime initializes a module's memories copy-on-write only if
            // every active segment's offset is a constant.
            DataKind::Active { .. } => bail!("the adapter has a data segment whose offset is not an i32.const"),
        };
        let active = matches!(kind, DataKind::Active { .. });
        let to = guest.data.add(kind, data.value.clone());
        guest.data.get_mut(to).name = prefixed(data.name.as_deref(), "data");
        if active {
            guest.memories.get_mut(adapter_memory).data_segments.insert(to);
        }
        ids.data.insert(data.id(), to);
    }
    Ok(())
}

/// A constant expression with its ids translated.
fn const_expr(ids: &Ids, expr: &ConstExpr) -> Result<ConstExpr> {
    let global = |global| {
        ids.globals
            .get(global)
            .ok_or_else(|| anyhow::anyhow!("internal error: a global initializer reads a later global"))
    };
    Ok(match expr {
        ConstExpr::Value(value) => ConstExpr::Value(*value),
        ConstExpr::Global(id) => ConstExpr::Global(global(*id)?),
        ConstExpr::RefNull(ty) => ConstExpr::RefNull(*ty),
        ConstExpr::RefFunc(func) => ConstExpr::RefFunc(function(ids, *func)?),
        ConstExpr::Extended(ops) => ConstExpr::Extended(
            ops.iter()
                .map(|op| {
                    Ok(match *op {
                        ConstOp::GlobalGet(id) => ConstOp::GlobalGet(global(id)?),
                        ConstOp::RefFunc(func) => ConstOp::RefFunc(function(ids, func)?),
                        ConstOp::StructNew(_)
                        | ConstOp::StructNewDefault(_)
                        | ConstOp::ArrayNew(_)
                        | ConstOp::ArrayNewDefault(_)
                        | ConstOp::ArrayNewFixed { .. } => {
                            bail!("the adapter uses GC types in a constant, which strata does not fuse")
                        }
                        other => other,
                    })
                })
                .collect::<Result<_>>()?,
        ),
    })
}

/// `strata:name`, or `strata:kind` for an unnamed item.
fn prefixed(name: Option<&str>, kind: &str) -> Option<String> {
    Some(format!("strata:{}", name.unwrap_or(kind)))
}

fn ref_type(ty: RefType) -> Result<RefType> {
    val_type(ValType::Ref(ty))?;
    Ok(ty)
}
