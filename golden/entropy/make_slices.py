#!/usr/bin/env python3
"""Cuts small slices of real quantized weights for the entropy tests.

Input: the @vladmandic/face-api models fetched by scripts/fetch-models.sh into
build/models/face-api/model/. Output: <model>__<tensor>.u8 (raw uint8 codes as
shipped, first N weights of the tensor in C order). Run from the repo root:
    python3 golden/entropy/make_slices.py
"""
import json, os, sys

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
MODELS = os.path.join(ROOT, 'build', 'models', 'face-api', 'model')
PICKS = [  # (model, tensor name, weights kept)
    ('face_recognition_model', 'conv32_1/conv1/conv/filters', 9216),
    ('ssd_mobilenetv1_model', 'MobilenetV1/Conv2d_5_pointwise/weights', 16384),
]

def tensors(model):
    m = json.load(open(os.path.join(MODELS, model + '-weights_manifest.json')))
    data = b''.join(open(os.path.join(MODELS, p), 'rb').read() for g in m for p in g['paths'])
    off = 0
    for g in m:
        for w in g['weights']:
            n = 1
            for d in w['shape']:
                n *= d
            size = n * (1 if w.get('quantization', {}).get('dtype') == 'uint8' else 4)
            yield w['name'], data[off:off + size]
            off += size

for model, name, keep in PICKS:
    for n, b in tensors(model):
        if n == name:
            out = os.path.join(os.path.dirname(__file__), model + '__' + name.replace('/', '_') + '.u8')
            open(out, 'wb').write(b[:keep])
            print(out, len(b[:keep]))
            break
    else:
        sys.exit('tensor %s not in %s' % (name, model))
