// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The provider SDKs only the platform implementations may use, with any subpath (e.g. `@pulumi/kubernetes/types/input`). */
const PROVIDER_SDK = "^@pulumi/(docker|kubernetes)($|/)";
/** The same as an esquery regex, whose syntax allows no "/" inside (any character stands for it). */
const PROVIDER_SDK_SELECTOR = "/^@pulumi.(docker|kubernetes)($|[^-a-z0-9_.])/";
const SEAM_MESSAGE = "Components go through the Platform seam (components/platform); only the platform implementations use the provider SDKs.";
const KIND_MESSAGE =
    "Do not branch on which platform this is: ask Platform.capabilities (components/platform/capabilities.ts), or add the capability there.";

/**
 * Files that may use the provider SDKs and know which platform they are: the platform layer itself,
 * the tests of the platform implementations, and the fixture programs that build raw provider
 * resources on purpose (the plan tool's and the policy pack's tests). Everything else (components,
 * index.ts, stacks, tools, bench, policy and the other tests) goes through the seam. tools/plan
 * knows Kubernetes and docker type tokens as strings and imports neither SDK.
 */
const PLATFORM_OWN = [
    "components/platform/**",
    "tests/**/*platform*.test.ts",
    "tests/unit/docker*.test.ts",
    "tests/unit/kubernetes*.test.ts",
    "tests/unit/kubernetes/**",
    "tests/fixtures/**",
    "tests/policy/fixtures/**",
];

/** A name that holds a platform: `platform`, `dockerPlatform`, `args.platform`, `this.platform`. */
const PLATFORM_NAME = "/[pP]latform$/";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "policy/node_modules/", "policy/bin/", "out/", ".plan/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-explicit-any": "error",
        },
    },
    {
        files: ["**/*.ts"],
        ignores: PLATFORM_OWN,
        rules: {
            // The TypeScript version also sees `import x = require("…")`.
            "no-restricted-imports": "off",
            "@typescript-eslint/no-restricted-imports": [
                "error",
                // One pattern for the packages and every subpath (exact `paths` would only repeat it).
                { patterns: [{ regex: PROVIDER_SDK, message: SEAM_MESSAGE }] },
            ],
            // Syntax no-restricted-imports does not see (dynamic imports, `import("…").T` types,
            // require), and reads of a platform's kind. The selectors catch every spelling of
            // `<something named …platform>.kind`; any other read of a Platform's kind (an alias
            // such as `const p = args.platform; p.kind`) does not compile, because the Platform
            // interface and both implementations have no `kind` (tests/unit/lint-rules.test.ts
            // checks both halves).
            "no-restricted-syntax": [
                "error",
                { selector: `ImportExpression[source.value=${PROVIDER_SDK_SELECTOR}]`, message: SEAM_MESSAGE },
                { selector: `TSImportType[argument.literal.value=${PROVIDER_SDK_SELECTOR}]`, message: SEAM_MESSAGE },
                { selector: `CallExpression[callee.name="require"][arguments.0.value=${PROVIDER_SDK_SELECTOR}]`, message: SEAM_MESSAGE },
                { selector: `MemberExpression[property.name="kind"][object.name=${PLATFORM_NAME}]`, message: KIND_MESSAGE },
                { selector: `MemberExpression[property.name="kind"][object.property.name=${PLATFORM_NAME}]`, message: KIND_MESSAGE },
                { selector: `MemberExpression[computed=true][property.value="kind"][object.name=${PLATFORM_NAME}]`, message: KIND_MESSAGE },
                { selector: `MemberExpression[computed=true][property.value="kind"][object.property.name=${PLATFORM_NAME}]`, message: KIND_MESSAGE },
                { selector: `VariableDeclarator[init.name=${PLATFORM_NAME}] > ObjectPattern > Property[key.name="kind"]`, message: KIND_MESSAGE },
                { selector: `VariableDeclarator[init.property.name=${PLATFORM_NAME}] > ObjectPattern > Property[key.name="kind"]`, message: KIND_MESSAGE },
            ],
        },
    },
);
