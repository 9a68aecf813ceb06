// Image records and the OCI image config as berth stores them.

/** The runnable part of an image config (Docker's ContainerConfig subset an image carries). */
export interface ImageRunConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  Healthcheck?: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The OCI image config blob (application/vnd.oci.image.config.v1+json); its digest is the image ID. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ImageRunConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  comment?: string;
  docker_version?: string;
}

/** What berth records per image (metadata kind "images", id = hex of the config digest). */
export interface ImageRecord {
  /** "sha256:<hex>" of the config blob. */
  id: string;
  /** chainID of the top layer; undefined for an image without layers. */
  chainID?: string;
  /** Uncompressed bytes of all layers. */
  size: number;
  /** Digest of the OCI manifest in the content store, when the layer blobs are there too. */
  manifest?: string;
  /** Parent image ID (local builds only). */
  parent?: string;
  /** When a tag last pointed here. */
  lastTagTime?: string;
}

/** An image as resolved for use: its record and parsed config. */
export interface Image {
  record: ImageRecord;
  config: ImageConfig;
}
