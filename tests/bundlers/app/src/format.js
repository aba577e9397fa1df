// An ordinary module: formats what the app logs.
export function formatResult(where, module) {
  return where + ': ' + JSON.stringify({ scriptDirectory: module.scriptDirectory, wasmUrl: module.wasmUrl });
}

export const APP_NAME = 'guardmin-bundlers-app';
