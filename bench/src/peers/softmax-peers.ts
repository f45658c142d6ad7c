import { copyFloorPeer } from './copy-floor.js';
import { onnxRuntimePeer } from './onnxruntime.js';
import { oursPeer, oursZeroCopyPeer } from './ours.js';
import type { SoftmaxPeer } from './peer.js';
import { plainLoopPeer } from './plain-loop.js';
import { tfjsPeer } from './tfjs.js';
import { transformersPeer } from './transformers.js';

/** Fresh instances of every softmax implementation, ours first (the baseline), in display order. */
export function softmaxPeers(): SoftmaxPeer[] {
  return [
    oursPeer(),
    oursZeroCopyPeer(),
    onnxRuntimePeer(),
    tfjsPeer('wasm'),
    tfjsPeer('cpu'),
    transformersPeer(),
    plainLoopPeer(),
    copyFloorPeer(),
  ];
}

/** npm package behind each peer, for versions in the report. */
export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  'softmax (ours)': 'softmax',
  'softmax zero-copy (ours)': 'softmax',
  'onnxruntime-node': 'onnxruntime-node',
  'tfjs-wasm': '@tensorflow/tfjs-backend-wasm',
  'tfjs-cpu': '@tensorflow/tfjs-backend-cpu',
  'transformers.js': '@huggingface/transformers',
};
