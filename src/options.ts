// The options live in src/options/; this file keeps `../options.js` imports working until they name the folder.
export * from './options/index.js';
