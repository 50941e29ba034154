// Chorus Pro's « Structures » API description (Swagger 2.0) and the small conversion
// that lets ajv validate payloads against its definitions.
//
// Where the file comes from (test/core/chorus-pro/SOURCE.md): the public repository
// turbo124/piste-gouv-fr, path doc/Structures.json, commit
// bca660e0f5c8eee4e39ed17e4a006089a37187ff (git blob cfe37666…). The tests read that
// exact file (its blob hash is checked) from, in order: $CHORUS_PRO_SWAGGER; a
// shared/chorus-pro/Structures.json beside the repository or one level up; the local
// snapshot of that repository under /work/.mirror.
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SOURCE = {
  repository: "turbo124/piste-gouv-fr",
  path: "doc/Structures.json",
  commit: "bca660e0f5c8eee4e39ed17e4a006089a37187ff",
  blob: "cfe37666b7d07a7e8f9afe27bc51bb8855b0b567",
} as const;

/** The git blob hash of some bytes: what `git hash-object` prints. */
export function gitBlobHash(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The places the file is looked for, in order, with how to read each. */
function candidates(): { where: string; read: () => Buffer | null }[] {
  const file = (path: string) => ({ where: path, read: () => (existsSync(path) ? readFileSync(path) : null) });
  const fromEnv = process.env["CHORUS_PRO_SWAGGER"];
  const mirror = "/work/.mirror/turbo124+piste-gouv-fr/repo";
  return [
    ...(fromEnv !== undefined && fromEnv !== "" ? [file(fromEnv)] : []),
    file(join(repoRoot, "..", "shared", "chorus-pro", "Structures.json")),
    file(join(repoRoot, "..", "..", "shared", "chorus-pro", "Structures.json")),
    {
      where: `${mirror} (git show ${SOURCE.commit}:${SOURCE.path})`,
      read: () => {
        if (!existsSync(mirror)) return null;
        try {
          return execFileSync("git", ["-C", mirror, "show", `${SOURCE.commit}:${SOURCE.path}`], { maxBuffer: 1 << 22 });
        } catch {
          return null;
        }
      },
    },
  ];
}

/** A Swagger 2.0 document, as far as these tests read it. */
export interface Swagger {
  readonly swagger: string;
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly definitions: Readonly<Record<string, SchemaNode>>;
}
type SchemaNode = { readonly [key: string]: unknown };

let loaded: { swagger: Swagger; where: string } | undefined;

/** The API description, read once; throws, saying where it looked, when it is nowhere. */
export function loadSwagger(): { swagger: Swagger; where: string } {
  if (loaded !== undefined) return loaded;
  const tried: string[] = [];
  for (const c of candidates()) {
    const bytes = c.read();
    if (bytes === null) {
      tried.push(`${c.where}: absent`);
      continue;
    }
    const hash = gitBlobHash(bytes);
    if (hash !== SOURCE.blob) {
      tried.push(`${c.where}: another file (blob ${hash})`);
      continue;
    }
    loaded = { swagger: JSON.parse(bytes.toString("utf8")) as Swagger, where: c.where };
    return loaded;
  }
  throw new Error(
    `Chorus Pro's Structures.json (${SOURCE.repository}, ${SOURCE.path} at ${SOURCE.commit}) was not found:\n  ${tried.join("\n  ")}\n` +
      "Set CHORUS_PRO_SWAGGER to its path (test/core/chorus-pro/SOURCE.md).",
  );
}

const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };
// int64 in JSON as JavaScript reads it without loss.
const INT64 = { minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

/**
 * One Swagger 2.0 schema as a JSON Schema ajv validates strictly:
 * - `example` (a Swagger annotation, unknown to JSON Schema) is dropped;
 * - `format: int32` / `int64` become ranges (int64: the integers JSON carries exactly);
 * - an object with `properties` gets `additionalProperties: false`, so a field the API
 *   does not define is an error (the Swagger leaves it open; we want the same names);
 * - `$ref: "#/definitions/X"` stays, resolved against the converted definitions.
 */
export function toJsonSchema(node: SchemaNode): SchemaNode {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "example") continue;
    if (key === "format" && (value === "int32" || value === "int64")) {
      Object.assign(out, value === "int32" ? INT32 : INT64);
      continue;
    }
    if (key === "properties") {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, SchemaNode>).map(([name, child]) => [name, toJsonSchema(child)]),
      );
      continue;
    }
    if (key === "items") {
      out[key] = toJsonSchema(value as SchemaNode);
      continue;
    }
    out[key] = value;
  }
  if (node["type"] === "object" && node["properties"] !== undefined && node["additionalProperties"] === undefined)
    out["additionalProperties"] = false;
  return out;
}

/** Every definition of the document, converted, under `definitions` (so `#/definitions/X` resolves). */
export function toJsonSchemaDocument(swagger: Swagger): SchemaNode {
  return {
    $id: "chorus-pro-structures",
    definitions: Object.fromEntries(Object.entries(swagger.definitions).map(([name, d]) => [name, toJsonSchema(d)])),
  };
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** A validator of one definition of the API description (`WsRetourRechercherStructure`, …). */
export function validatorOf(definition: string): ValidateFunction {
  const known = compiled.get(definition);
  if (known !== undefined) return known;
  if (ajv === undefined) {
    ajv = new Ajv({ strict: true, allErrors: true });
    addFormats(ajv, ["date-time"]);
    ajv.addSchema(toJsonSchemaDocument(loadSwagger().swagger));
  }
  const validate = ajv.compile({ $ref: `chorus-pro-structures#/definitions/${definition}` });
  compiled.set(definition, validate);
  return validate;
}

/** The errors of a payload against a definition, as readable lines (empty when valid). */
export function schemaErrors(definition: string, payload: unknown): string[] {
  const validate = validatorOf(definition);
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}

/** The response definition of each operation, read from the API description's paths. */
export function responseDefinitionOf(path: string): string {
  const post = loadSwagger().swagger.paths[path]?.["post"] as { responses?: Record<string, { schema?: { $ref?: string } }> } | undefined;
  const ref = post?.responses?.["200"]?.schema?.$ref;
  if (ref === undefined) throw new Error(`no 200 response schema for ${path}`);
  return ref.replace("#/definitions/", "");
}

/** The request body definition of each operation. */
export function requestDefinitionOf(path: string): string {
  const post = loadSwagger().swagger.paths[path]?.["post"] as { parameters?: { in: string; schema?: { $ref?: string } }[] } | undefined;
  const ref = post?.parameters?.find((p) => p.in === "body")?.schema?.$ref;
  if (ref === undefined) throw new Error(`no body schema for ${path}`);
  return ref.replace("#/definitions/", "");
}
