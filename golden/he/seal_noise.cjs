// Noise-budget figures from Microsoft SEAL (npm node-seal) for the BFV parameters
// and operations squish's golden BFV implements; writes golden/he/seal_noise.json.
//
//   mkdir -p build/he-node && (cd build/he-node && npm pack node-seal@6.0.3 &&
//     mkdir -p node_modules/node-seal && tar xzf node-seal-6.0.3.tgz -C node_modules/node-seal --strip-components=1)
//   NODE_PATH=build/he-node/node_modules node golden/he/seal_noise.cjs golden/he/face_expression_fc_int8.npy > golden/he/seal_noise.json
//
// Parameters: n = 4096, q = CoeffModulus.BFVDefault(4096) (three primes, 109
// bits), t = 16760833 (the 24-bit prime = 1 mod 8192 that squish's encrypted
// layer picks for 256-input int8 layers). Plaintexts are built coefficient by
// coefficient by writing SEAL's uncompressed Plaintext serialization.
// Operations (each over `reps` independent key sets):
//   fresh_pk   encrypt(pk) of the packed activation vector x
//   fresh_sk   encryptSymmetric(sk) of x
//   add        fresh_pk + fresh_pk
//   mul_fc     fresh_pk x the packed face_expression fc weights (7 x 256 rows)
//   mul_mono   fresh_pk x the monomial x^5
// Activation vector x_i = ((37 i + 11) mod 255) - 127, i < 256.
const fs = require('fs');
const SEAL = require('node-seal');

function readNpyInt8(path) {
  const b = fs.readFileSync(path);
  const hlen = b.readUInt16LE(8);
  const header = b.slice(10, 10 + hlen).toString('latin1');
  if (!header.includes("'|i1'")) throw new Error(path + ': not int8');
  const shape = header.match(/\(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
  const data = new Int8Array(b.buffer, b.byteOffset + 10 + hlen, shape.reduce((a, c) => a * c, 1));
  return { shape, data };
}

const N = 4096, T = 16760833n;

function plaintextBytes(coeffs) {  // coeffs: BigInt array of length N, in [0, t)
  const n = coeffs.length;
  const total = 16 + 32 + 8 + 8 + 16 + 8 + 8 * n;
  const buf = Buffer.alloc(total);
  let o = 0;
  const header = (size) => { buf.writeUInt16LE(0xa15e, o); buf.writeUInt8(0x10, o + 2); buf.writeUInt8(4, o + 3);
    buf.writeUInt8(1, o + 4); buf.writeUInt8(0, o + 5); buf.writeUInt16LE(0, o + 6); buf.writeBigUInt64LE(BigInt(size), o + 8); o += 16; };
  header(total);
  o += 32;                                 // parms_id: zero (not NTT form)
  buf.writeBigUInt64LE(BigInt(n), o); o += 8;  // coeff_count
  buf.writeDoubleLE(1.0, o); o += 8;          // scale
  header(16 + 8 + 8 * n);                   // DynArray
  buf.writeBigUInt64LE(BigInt(n), o); o += 8;
  for (const c of coeffs) { buf.writeBigUInt64LE(c, o); o += 8; }
  return new Uint8Array(buf);
}

const enc = (v) => BigInt(v < 0 ? BigInt(v) + T : BigInt(v));

(async () => {
  const seal = await SEAL();
  const w = readNpyInt8(process.argv[2]);
  const [out, inp] = w.shape;
  const reps = Number(process.argv[3] || 10);
  const parms = seal.EncryptionParameters(seal.SchemeType.bfv);
  parms.setPolyModulusDegree(N);
  parms.setCoeffModulus(seal.CoeffModulus.BFVDefault(N, seal.SecurityLevel.tc128));
  const tm = seal.Modulus(T);
  parms.setPlainModulus(tm);
  const ctx = seal.Context(parms, true, seal.SecurityLevel.tc128);
  if (!ctx.parametersSet()) throw new Error('SEAL rejected the parameters');
  const mk = (coeffs) => { const p = seal.PlainText(); p.loadArray(ctx, plaintextBytes(coeffs)); return p; };
  const xs = new Array(N).fill(0n), ws = new Array(N).fill(0n), mono = new Array(N).fill(0n);
  for (let i = 0; i < inp; ++i) xs[i] = enc(((37 * i + 11) % 255) - 127);
  for (let r = 0; r < out; ++r) for (let i = 0; i < inp; ++i) ws[r * inp + (inp - 1 - i)] = enc(w.data[r * inp + i]);
  mono[5] = 1n;
  const px = mk(xs), pw = mk(ws), pm = mk(mono);
  const figures = { fresh_pk: [], fresh_sk: [], add: [], mul_fc: [], mul_mono: [] };
  let exact = true;
  for (let rep = 0; rep < reps; ++rep) {
    const kg = seal.KeyGenerator(ctx);
    const sk = kg.secretKey(), pk = kg.createPublicKey();
    const encr = seal.Encryptor(ctx, pk, sk), dec = seal.Decryptor(ctx, sk), ev = seal.Evaluator(ctx);
    const c1 = encr.encrypt(px), c2 = encr.encrypt(px), cs = encr.encryptSymmetric(px);
    figures.fresh_pk.push(dec.invariantNoiseBudget(c1));
    figures.fresh_sk.push(dec.invariantNoiseBudget(cs));
    figures.add.push(dec.invariantNoiseBudget(ev.add(c1, c2)));
    const cf = ev.multiplyPlain(c1, pw);
    figures.mul_fc.push(dec.invariantNoiseBudget(cf));
    figures.mul_mono.push(dec.invariantNoiseBudget(ev.multiplyPlain(c1, pm)));
    // Check the layer's outputs in SEAL too: coefficient r*in + in-1 = sum_i x_i w[r][i].
    const m = dec.decrypt(cf);
    const arr = m.saveArray(seal.ComprModeType.none);
    const b = Buffer.from(arr);
    const base = 16 + 32 + 8 + 8 + 16 + 8;
    for (let r = 0; r < out; ++r) {
      let want = 0;
      for (let i = 0; i < inp; ++i) want += (((37 * i + 11) % 255) - 127) * w.data[r * inp + i];
      const k = r * inp + inp - 1;
      let got = k < (b.length - base) / 8 ? b.readBigUInt64LE(base + 8 * k) : 0n;
      if (got > T / 2n) got -= T;
      if (Number(got) !== want) exact = false;
    }
  }
  const summary = {};
  for (const [k, v] of Object.entries(figures))
    summary[k] = { min: Math.min(...v), max: Math.max(...v), mean: v.reduce((a, c) => a + c, 0) / v.length, all: v };
  process.stdout.write(JSON.stringify({
    source: 'Microsoft SEAL via npm node-seal@6.0.3 (SEAL 4.1), Decryptor.invariantNoiseBudget',
    n: N, coeff_modulus: Array.from(parms.coeffModulus, String), coeff_modulus_bits: 109, plain_modulus: String(T),
    reps, activation: 'x_i = ((37 i + 11) mod 255) - 127, i < 256', weights: 'golden/he/face_expression_fc_int8.npy',
    fc_outputs_exact_in_seal: exact, budgets: summary }, null, 1) + '\n');
})().catch((e) => { console.error(typeof e === 'number' ? 'SEAL exception ' + e : e); process.exit(1); });
