import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'dist/**', 'build/**', 'node_modules/**', 'prebuilds/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
);
