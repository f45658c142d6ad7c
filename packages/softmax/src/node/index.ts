/**
 * `softmax/node`: file I/O for Node.js (NPY, CSV and IDX). Never imported by the browser entry.
 */
export { parseNpy, encodeNpy, type NpyArray, type NpyData, type NpyDtype } from './npy.js';
export { parseCsv, formatCsv, type CsvMatrix } from './csv.js';
export { formatOfPath, decodeTensorFile, encodeTensorFile, type TensorFile, type TensorFileFormat } from './tensor-file.js';
export { readTensorFile, writeTensorFileAtomic, writeFileAtomic } from './files.js';
export { parseIdx, readIdx, maybeGunzip, type IdxArray, type IdxData, type IdxType } from './idx.js';
