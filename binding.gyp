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
        "native/seccomp.c",
        "native/sealed-copy.c",
        "native/copyup.c",
        "native/reaper.c",
        "native/host-mount.c",
        "native/spawn-client.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "_GNU_SOURCE"
      ],
      "cflags": [
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-fno-strict-aliasing",
        "-O2"
      ],
      "cflags_c": [
        "-std=gnu11"
      ],
      "cflags_cc": [
        "-std=c++17",
        "-fexceptions"
      ],
      "cflags!": [
        "-fno-exceptions"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ]
    },
    {
      "target_name": "caisson-shim-launcher",
      "type": "none",
      "actions": [
        {
          "action_name": "build_shim_launcher",
          "inputs": [
            "native/shim-launcher.c"
          ],
          "outputs": [
            "<(PRODUCT_DIR)/caisson-shim-launcher"
          ],
          "action": [
            "cc",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-o",
            "<@(_outputs)",
            "native/shim-launcher.c"
          ]
        }
      ]
    },
    {
      "target_name": "caisson-exec",
      "type": "none",
      "actions": [
        {
          "action_name": "build_exec_trampoline",
          "inputs": [
            "native/exec-trampoline.c",
            "native/plan.h"
          ],
          "outputs": [
            "<(PRODUCT_DIR)/caisson-exec"
          ],
          "action": [
            "cc",
            "-Os",
            "-static",
            "-nostdlib",
            "-ffreestanding",
            "-fno-builtin",
            "-fno-stack-protector",
            "-fno-asynchronous-unwind-tables",
            "-fno-tree-loop-distribute-patterns",
            "-fno-pie",
            "-no-pie",
            "-Wl,--build-id=none",
            "-s",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Inative",
            "-o",
            "<@(_outputs)",
            "native/exec-trampoline.c"
          ]
        }
      ]
    },
    {
      "target_name": "caisson-spawner",
      "type": "none",
      "actions": [
        {
          "action_name": "build_spawner",
          "inputs": [
            "native/spawner.c",
            "native/child.c",
            "native/ns.c",
            "native/rootfs.c",
            "native/mount.c",
            "native/process.c",
            "native/attrs.c",
            "native/console.c",
            "native/seccomp.c",
            "native/copyup.c",
            "native/spawn-proto.h",
            "native/child.h",
            "native/plan.h",
            "native/sys.h",
            "native/msg.h"
          ],
          "outputs": [
            "<(PRODUCT_DIR)/caisson-spawner"
          ],
          "action": [
            "cc",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Wno-unused-parameter",
            "-Werror",
            "-std=gnu11",
            "-D_GNU_SOURCE",
            "-fno-strict-aliasing",
            "-Inative",
            "-o",
            "<@(_outputs)",
            "native/spawner.c",
            "native/child.c",
            "native/ns.c",
            "native/rootfs.c",
            "native/mount.c",
            "native/process.c",
            "native/attrs.c",
            "native/console.c",
            "native/seccomp.c",
            "native/copyup.c"
          ]
        }
      ]
    }
  ]
}
