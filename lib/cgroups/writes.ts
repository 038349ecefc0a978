// A cgroup file write the manager will make, with the JSON path it comes from so a refusal can
// name both (spec: "a value the kernel rejects gives an error naming the file and the value").

export interface CgroupWrite {
  /** v1: the controller whose hierarchy holds the file ("memory"); v2: the controller the file
   * belongs to ("memory", or "" for cgroup.* core files) */
  controller: string;
  file: string;
  value: string;
  /** where in config.json (or the update) the value came from */
  from: string;
  /** a missing file is not an error: the kernel simply lacks the knob (kmem on new kernels) */
  optional?: boolean;
}

export const R = '$.linux.resources';
