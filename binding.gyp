{
  # Two targets from one core: the N-API addon (probe and metadata for the JS side) and the
  # stand-alone tracer executable that `dettrace run` spawns. The tracer is its own process
  # because it must unshare a user namespace (only a single-threaded process may) and be the
  # ptrace parent of the sandbox's first process; see README.md ("Why the tracer is its own process").
  'variables': {
    'core_sources': ['<!@(ls -1 native/core/*.cc native/policy/*.cc)'],
    'common_cflags': ['-std=c++17', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-fexceptions'],
  },
  'target_defaults': {
    'cflags_cc!': ['-fno-exceptions', '-std=gnu++17', '-std=gnu++1y', '-std=gnu++20'],
    'cflags_cc': ['<@(common_cflags)'],
    'include_dirs': ['native'],
    'ldflags': ['-static-libstdc++', '-static-libgcc'],
  },
  'targets': [
    {
      'target_name': 'dettrace',
      'sources': ['native/addon.cc', '<@(core_sources)'],
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
    },
    {
      'target_name': 'dettrace-tracer',
      'type': 'executable',
      'sources': ['native/tracer_main.cc', '<@(core_sources)'],
    },
  ],
}
