//! The GraphQL side of `graphql_serve`: builds an executable schema from
//! SDL at run time (async-graphql's dynamic schema) whose resolvers ask
//! the VM thread through a [`Resolve`] function, and answers GraphQL
//! requests that arrive through the HTTP server.
//!
//! A field `F` of an object type `T` resolves through the LPC function
//! `T_F` when the resolver object has one; otherwise it is the `F` entry
//! of its parent value (a mapping). Values of interface and union types
//! name their object type in a `__typename` entry.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Interface, InterfaceField,
    Object, ResolverContext, Scalar, Schema, TypeRef, Union,
};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{
    BaseType, InputValueDefinition, ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, QueryPathSegment, ServerResult, Value};
use rustc_hash::{FxHashMap, FxHashSet};

use super::http_server;
use crate::runtime::Receiver;

/// One call of an LPC resolver function.
pub struct Call {
    pub function: String,
    /// The field's arguments, as an object.
    pub args: Value,
    /// The value of the object the field belongs to (null at the root).
    pub parent: Value,
}

/// Sends a call to the VM thread; the answer comes on the receiver.
/// `None` once the VM is gone.
pub type Resolve = Arc<dyn Fn(Call) -> Option<Receiver<Result<Value, String>>> + Send + Sync>;

/// What a schema document declares that the VM thread needs to check.
pub struct Outline {
    pub query: String,
    pub mutation: Option<String>,
    /// Every (type, field) pair of the object types.
    pub fields: Vec<(String, String)>,
}

/// What resolvers need to know about the schema's types.
struct Types {
    kinds: FxHashMap<String, Kind>,
    /// The fields of each input object type, with their defaults.
    inputs: FxHashMap<String, Vec<(String, TypeRef, Option<Value>)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Object,
    Abstract,
    Enum,
    Input,
}

/// Parses SDL and lists the fields of its object types.
pub fn outline(sdl: &str) -> Result<(ServiceDocument, Outline), String> {
    let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
    let mut query = None;
    let mut mutation = None;
    let mut fields = Vec::new();
    for definition in &document.definitions {
        match definition {
            TypeSystemDefinition::Schema(schema) => {
                let schema = &schema.node;
                if schema.subscription.is_some() {
                    return Err("subscriptions are not supported".into());
                }
                query = schema.query.as_ref().map(|n| n.node.to_string());
                mutation = schema.mutation.as_ref().map(|n| n.node.to_string());
            }
            TypeSystemDefinition::Type(ty) => {
                let ty = &ty.node;
                if ty.extend {
                    return Err(format!(
                        "type extensions are not supported ({})",
                        ty.name.node
                    ));
                }
                if let TypeKind::Object(object) = &ty.kind {
                    for field in &object.fields {
                        fields.push((ty.name.node.to_string(), field.node.name.node.to_string()));
                    }
                }
            }
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    let declared = |name: &str| fields.iter().any(|(t, _)| t == name);
    let query = query.unwrap_or_else(|| "Query".into());
    if !declared(&query) {
        return Err(format!("the schema has no object type {query}"));
    }
    let mutation = mutation.or_else(|| declared("Mutation").then(|| "Mutation".into()));
    Ok((
        document,
        Outline {
            query,
            mutation,
            fields,
        },
    ))
}

fn type_ref(ty: &Type) -> TypeRef {
    let base = match &ty.base {
        BaseType::Named(name) => TypeRef::Named(name.to_string().into()),
        BaseType::List(inner) => TypeRef::List(Box::new(type_ref(inner))),
    };
    if ty.nullable {
        base
    } else {
        TypeRef::NonNull(Box::new(base))
    }
}

fn input_value(definition: &InputValueDefinition) -> InputValue {
    let input = InputValue::new(
        definition.name.node.to_string(),
        type_ref(&definition.ty.node),
    );
    match &definition.default_value {
        Some(value) => input.default_value(value.node.clone()),
        None => input,
    }
}

/// The executable schema. `functions` holds the `T_F` names the resolver
/// object defines.
pub fn build(
    document: &ServiceDocument,
    outline: &Outline,
    functions: &FxHashSet<String>,
    resolve: Resolve,
) -> Result<Schema, String> {
    let mut kinds: FxHashMap<String, Kind> = ["Int", "Float", "String", "Boolean", "ID"]
        .into_iter()
        .map(|name| (name.to_string(), Kind::Scalar))
        .collect();
    let mut inputs = FxHashMap::default();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Type(ty) = definition {
            let kind = match &ty.node.kind {
                TypeKind::Scalar => Kind::Scalar,
                TypeKind::Object(_) => Kind::Object,
                TypeKind::Interface(_) | TypeKind::Union(_) => Kind::Abstract,
                TypeKind::Enum(_) => Kind::Enum,
                TypeKind::InputObject(input) => {
                    let fields = input
                        .fields
                        .iter()
                        .map(|f| {
                            let f = &f.node;
                            let default = f.default_value.as_ref().map(|d| d.node.clone());
                            (f.name.node.to_string(), type_ref(&f.ty.node), default)
                        })
                        .collect();
                    inputs.insert(ty.node.name.node.to_string(), fields);
                    Kind::Input
                }
            };
            kinds.insert(ty.node.name.node.to_string(), kind);
        }
    }
    let types = Arc::new(Types { kinds, inputs });
    let mut builder =
        Schema::build(&outline.query, outline.mutation.as_deref(), None).extension(ErrorPaths);
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.to_string();
        match &ty.kind {
            TypeKind::Scalar => builder = builder.register(Scalar::new(name)),
            TypeKind::Object(object) => {
                let mut out = Object::new(&name);
                for interface in &object.implements {
                    out = out.implement(interface.node.to_string());
                }
                for field in &object.fields {
                    let field = &field.node;
                    let field_name = field.name.node.to_string();
                    let function = format!("{name}_{field_name}");
                    let plan = Arc::new(Plan {
                        function: functions.contains(&function).then_some(function),
                        field: field_name.clone(),
                        ty: type_ref(&field.ty.node),
                        arguments: field
                            .arguments
                            .iter()
                            .map(|a| (a.node.name.node.to_string(), type_ref(&a.node.ty.node)))
                            .collect(),
                        types: types.clone(),
                        resolve: resolve.clone(),
                    });
                    let ty = plan.ty.clone();
                    let mut resolved =
                        Field::new(field_name, ty, move |ctx| resolve_field(plan.clone(), ctx));
                    for argument in &field.arguments {
                        resolved = resolved.argument(input_value(&argument.node));
                    }
                    out = out.field(resolved);
                }
                builder = builder.register(out);
            }
            TypeKind::Interface(interface) => {
                let mut out = Interface::new(&name);
                for field in &interface.fields {
                    let field = &field.node;
                    let mut declared =
                        InterfaceField::new(field.name.node.to_string(), type_ref(&field.ty.node));
                    for argument in &field.arguments {
                        declared = declared.argument(input_value(&argument.node));
                    }
                    out = out.field(declared);
                }
                builder = builder.register(out);
            }
            TypeKind::Union(union) => {
                let mut out = Union::new(&name);
                for member in &union.members {
                    out = out.possible_type(member.node.to_string());
                }
                builder = builder.register(out);
            }
            TypeKind::Enum(values) => {
                let items = values.values.iter().map(|v| v.node.value.node.to_string());
                builder = builder.register(Enum::new(&name).items(items));
            }
            TypeKind::InputObject(input) => {
                let mut out = InputObject::new(&name);
                for field in &input.fields {
                    out = out.field(input_value(&field.node));
                }
                builder = builder.register(out);
            }
        }
    }
    builder.finish().map_err(|e| e.to_string())
}

/// How one field resolves.
struct Plan {
    function: Option<String>,
    field: String,
    ty: TypeRef,
    arguments: Vec<(String, TypeRef)>,
    types: Arc<Types>,
    resolve: Resolve,
}

fn resolve_field(plan: Arc<Plan>, ctx: ResolverContext<'_>) -> FieldFuture<'_> {
    let parent = ctx
        .parent_value
        .downcast_ref::<Value>()
        .cloned()
        .unwrap_or(Value::Null);
    let Some(function) = plan.function.clone() else {
        let value = match &parent {
            Value::Object(entries) => entries.get(plan.field.as_str()).cloned(),
            _ => None,
        };
        let shaped = shape(value.unwrap_or(Value::Null), &plan.ty, &plan.types.kinds);
        return FieldFuture::new(async move { shaped });
    };
    let args = Value::Object(
        ctx.args
            .iter()
            .map(|(name, value)| {
                let value = value.as_value().clone();
                let ty = plan.arguments.iter().find(|(n, _)| n == name.as_str());
                let value = match ty {
                    Some((_, ty)) => fill_defaults(value, ty, &plan.types),
                    None => value,
                };
                (name.clone(), value)
            })
            .collect(),
    );
    FieldFuture::new(async move {
        let call = Call {
            function,
            args,
            parent,
        };
        let answer = (plan.resolve)(call).ok_or("the driver is shutting down")?;
        let value = answer
            .recv()
            .await
            .map_err(|_| "the driver is shutting down")?
            .map_err(async_graphql::Error::new)?;
        shape(value, &plan.ty, &plan.types.kinds)
    })
}

/// An argument with the defaults of its input object fields filled in,
/// as GraphQL prescribes and the dynamic schema leaves to us.
fn fill_defaults(value: Value, ty: &TypeRef, types: &Types) -> Value {
    match (ty, value) {
        (TypeRef::NonNull(inner), value) => fill_defaults(value, inner, types),
        (TypeRef::List(inner), Value::List(items)) => Value::List(
            items
                .into_iter()
                .map(|item| fill_defaults(item, inner, types))
                .collect(),
        ),
        (TypeRef::Named(name), Value::Object(mut entries)) => {
            let Some(fields) = types.inputs.get(name.as_ref()) else {
                return Value::Object(entries);
            };
            for (field, field_type, default) in fields {
                match entries.shift_remove(field.as_str()) {
                    Some(given) => {
                        let given = fill_defaults(given, field_type, types);
                        entries.insert(Name::new(field), given);
                    }
                    None => {
                        if let Some(default) = default {
                            entries.insert(Name::new(field), default.clone());
                        }
                    }
                }
            }
            Value::Object(entries)
        }
        (_, value) => value,
    }
}

/// Gives errors raised by resolvers the path of their field, which the
/// dynamic schema leaves empty.
struct ErrorPaths;

impl ExtensionFactory for ErrorPaths {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorPaths)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorPaths {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let node = info.path_node;
        next.run(ctx, info).await.map_err(|mut error| {
            if error.path.is_empty() {
                let mut path: Vec<PathSegment> = std::iter::once(node)
                    .chain(node.parents())
                    .map(|n| match n.segment {
                        QueryPathSegment::Name(name) => PathSegment::Field(name.to_string()),
                        QueryPathSegment::Index(i) => PathSegment::Index(i),
                    })
                    .collect();
                path.reverse();
                error.path = path;
            }
            error
        })
    }
}

/// An LPC answer fitted to the field's type: LPC has no booleans and
/// answers 0 for nothing, so 0 is null wherever a number does not belong.
fn shape(
    value: Value,
    ty: &TypeRef,
    kinds: &FxHashMap<String, Kind>,
) -> async_graphql::Result<Option<FieldValue<'static>>> {
    let zero = matches!(&value, Value::Number(n) if n.as_i64() == Some(0));
    match ty {
        TypeRef::NonNull(inner) => shape(value, inner, kinds),
        TypeRef::List(inner) => match value {
            Value::Null => Ok(None),
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(shape(item, inner, kinds)?.unwrap_or(FieldValue::NULL));
                }
                Ok(Some(FieldValue::list(out)))
            }
            _ if zero => Ok(None),
            _ => Err("expected an array".into()),
        },
        TypeRef::Named(name) => {
            if value == Value::Null {
                return Ok(None);
            }
            let kind = kinds.get(name.as_ref()).copied().unwrap_or(Kind::Scalar);
            match (kind, name.as_ref(), value) {
                (Kind::Scalar, "Boolean", Value::Number(n)) => {
                    Ok(Some(FieldValue::value(n.as_f64() != Some(0.0))))
                }
                (Kind::Scalar, "String" | "ID", Value::Number(_)) if zero => Ok(None),
                (Kind::Scalar, "ID", Value::Number(n)) => {
                    Ok(Some(FieldValue::value(n.to_string())))
                }
                (Kind::Scalar, _, v) => Ok(Some(FieldValue::value(v))),
                (Kind::Enum, _, Value::String(s)) => {
                    Ok(Some(FieldValue::value(Value::Enum(Name::new(s)))))
                }
                (_, _, _) if zero => Ok(None),
                (Kind::Object, _, v) => Ok(Some(FieldValue::owned_any(v))),
                (Kind::Abstract, _, Value::Object(entries)) => {
                    let Some(Value::String(object_type)) = entries.get("__typename").cloned()
                    else {
                        return Err(format!("a value of {name} needs a __typename").into());
                    };
                    Ok(Some(
                        FieldValue::owned_any(Value::Object(entries)).with_type(object_type),
                    ))
                }
                (_, _, v) => Err(format!("{v} is not a {name}").into()),
            }
        }
    }
}

/// Answers one HTTP request for the endpoint at `path`: a POST with a JSON
/// body, or a GET with the query in the query string.
pub async fn execute(
    schema: &Schema,
    path: &str,
    request: http_server::Request,
) -> http_server::Response {
    let json = |status: u16, body: Vec<u8>| http_server::Response {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
    };
    let error = |status: u16, message: &str| {
        let body = serde_json::json!({ "errors": [ { "message": message } ] });
        json(status, body.to_string().into_bytes())
    };
    if request.path != path {
        return error(404, "no GraphQL endpoint here");
    }
    let parsed = match request.method.as_str() {
        "POST" => serde_json::from_slice::<async_graphql::Request>(&request.body)
            .map_err(|e| format!("bad GraphQL request: {e}")),
        "GET" => async_graphql::http::parse_query_string(&request.query)
            .map_err(|e| format!("bad GraphQL request: {e}")),
        _ => return error(405, "use GET or POST"),
    };
    let graphql = match parsed {
        Ok(graphql) => graphql,
        Err(message) => return error(400, &message),
    };
    let response = schema.execute(graphql).await;
    match serde_json::to_vec(&response) {
        Ok(body) => json(200, body),
        Err(e) => error(500, &e.to_string()),
    }
}
