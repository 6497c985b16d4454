// Lint rules that catch bugs the compiler lets through: promises nobody awaits or that are passed
// where a callback's result is ignored, switches that forget a member of a union, dead code.
import eslint from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/dist/", "coverage/", "**/generated/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/require-await": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // The storefront (React): the rules of hooks, and browser globals. Type-aware rules above
    // read storefront/tsconfig.json (DOM and JSX) for these files.
    files: ["storefront/**/*.ts", "storefront/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // A page may set state in an effect to learn it runs in the browser (SessionContext).
      "react-hooks/set-state-in-effect": "off",
    },
  },
  {
    // Every error code comes from the one ErrorCode enum (subgraphs/common/errors.ts).
    files: ["router/**/*.ts", "subgraphs/**/*.ts", "scripts/**/*.ts"],
    ignores: ["**/__tests__/**", "subgraphs/common/errors.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "Property[key.name='code'] > Literal[value=/^[A-Z][A-Z_]+$/]",
          message: "Name the code from ErrorCode (subgraphs/common/errors.ts) instead of spelling it.",
        },
        {
          selector:
            "BinaryExpression:has(MemberExpression[property.name='code'][object.property.name='extensions']) > Literal",
          message: "Compare with a member of ErrorCode (subgraphs/common/errors.ts) instead of a string.",
        },
      ],
    },
  },
  {
    // A test reaches another service only through its public entry (subgraphs/<service>/index.ts,
    // router/index.ts), or through the test support kit (test/support/).
    files: ["test/**/*.ts", "**/__tests__/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["users", "products", "inventory", "orders", "payments", "notifications", "router"].map(
                (service) => `**/${service}/*`,
              ),
              message: "Import another service through its index.ts (its public entry), or through test/support.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and the bench read GraphQL answers as untyped JSON.
    files: ["test/**/*.ts", "bench/**/*.ts", "**/__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: {
      globals: {
        global: "writable",
        require: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
