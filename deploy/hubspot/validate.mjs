// Validates this HubSpot developer-platform project with HubSpot's own
// parser, @hubspot/project-parsing-lib (what `hs project upload` uses):
// the project config, the platform version, the component counts and the
// translation of every *-hsmeta.json into the intermediate representation
// uploaded to HubSpot. The final JSON-schema check of that representation
// needs a HubSpot account (the schemas are fetched from HubSpot), so it is
// left to `hs project upload` / `hs project validate`.
//
// Usage: node validate.mjs [project-dir]   (run by scripts/validate-hubspot-project)
import path from 'node:path';
import { parseProjectConfig, validateProjectConfig, isKnownPlatformVersion, getProjectMetadata } from '@hubspot/project-parsing-lib/projects';
import { translate } from '@hubspot/project-parsing-lib/translate';

const dir = path.resolve(process.argv[2] ?? path.dirname(new URL(import.meta.url).pathname));
const fail = (msg) => { console.error(`deploy/hubspot: ${msg}`); process.exit(1); };

const config = parseProjectConfig(dir);
validateProjectConfig(config, dir);
if (!isKnownPlatformVersion(config.platformVersion)) fail(`platformVersion ${config.platformVersion} is not one HubSpot knows`);
const src = path.join(dir, config.srcDir);
const meta = await getProjectMetadata(src);
for (const [type, c] of Object.entries(meta.components)) {
  if (c.count > c.maxCount) fail(`${c.count} ${type} components, at most ${c.maxCount} allowed`);
}
const { intermediateRepresentation: ir, skippedHsMetaFiles } = await translate(
  { projectSourceDir: src, platformVersion: config.platformVersion }, { skipValidation: true });
if (skippedHsMetaFiles?.length) fail(`skipped files: ${JSON.stringify(skippedHsMetaFiles)}`);
const nodes = Object.values(ir.intermediateNodesIndexedByUid);
const byType = Object.fromEntries(nodes.map((n) => [n.componentType, n]));
for (const want of ['APPLICATION', 'WEBHOOKS']) {
  if (!byType[want]) fail(`no ${want} component in ${JSON.stringify(nodes.map((n) => n.componentType))}`);
}
const hooks = byType.WEBHOOKS;
if (!hooks.componentDeps || Object.keys(hooks.componentDeps).length === 0) fail('the webhooks component does not belong to the app');
console.log(`deploy/hubspot: ${nodes.length} components (${nodes.map((n) => `${n.componentType} ${n.uid}`).join(', ')}), platform ${config.platformVersion}: parsed by @hubspot/project-parsing-lib`);
