{
  "targets": [
    {
      "target_name": "caisson",
      "sources": [
        "native/addon.cc",
        "native/child.c",
        "native/ns.c",
        "native/rootfs.c",
        "native/mount.c",
        "native/process.c",
        "native/attrs.c",
        "native/console.c",
        "native/bpf.c",
        "native/seccomp.c"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-fno-strict-aliasing", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
