// The Engine API client berth's CLI and tests use: one class, typed errors, framing helpers.
export {
  EngineClient, EngineClientOptions, RequestOptions, StreamResponse, HijackedConnection, Query, QueryValue,
  CLIENT_API_VERSION, FALLBACK_API_VERSION, compareVersions, encodeQuery, readAll, jsonLines,
} from './engine-client';
export { ApiError, DaemonUnreachableError, isApiError } from './errors';
export { DEFAULT_HOST, DaemonAddress, resolveHostUrl, parseDaemonAddress } from './host';
export { StdcopyDemuxer, DemuxSinks, frame, demuxBuffer, demuxWritable, STDIN, STDOUT, STDERR, SYSTEMERR } from './stdcopy';
