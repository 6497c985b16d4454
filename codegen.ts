/**
 * Resolver types generated from each subgraph's SDL (`npm run codegen`, also run after install).
 * Mappers tie a GraphQL type to the record its resolvers receive, so a resolver that returns a
 * store record where the schema expects a `Product` type-checks.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";
import { printSchema } from "graphql";
import { loadApiSchema } from "./schema/apiSchema";

const mappers: Record<string, Record<string, string>> = {
  users: {
    User: "../store/records#UserRecord",
    Address: "../store/records#AddressRecord",
    PushDevice: "../store/records#PushDeviceRecord",
    LinkedIdentity: "../store/records#OidcIdentityRecord",
    StaffRole: "../store/staffStore#StaffRoleRecord",
    ApiKey: "../store/staffStore#ApiKeyRecord",
    ApiKeyConnection: "../../common/pagination#Connection<ApiKeyRecord>",
    ApiKeyEdge: "../../common/pagination#Edge<ApiKeyRecord>",
    ApiKeyCreatePayload: "../domain/apiKeys#CreatedApiKey",
    AuditEntry: "../store/auditLogStore#AuditLogRow",
    AuditEntryConnection: "../../common/pagination#Connection<AuditLogRow>",
    AuditEntryEdge: "../../common/pagination#Edge<AuditLogRow>",
    UserConnection: "../../common/pagination#Connection<UserRecord>",
    UserEdge: "../../common/pagination#Edge<UserRecord>",
    PrivacyRequest: "../store/privacyStore#PrivacyRequestRecord",
  },
  products: {
    Product: "../store/records#ProductRecord",
    ProductVariant: "../store/records#VariantRecord",
    ProductOption: "../store/records#ProductOptionRecord",
    Attribute: "../store/records#AttributeRecord",
    Category: "../store/records#CategoryRecord",
    ProductImage: "../store/records#ImageView",
    ProductConnection: "../store/records#ProductPage",
    ProductEdge: "../../common/pagination#Edge<ProductRecord>",
    ProductVariantConnection: "../../common/pagination#Connection<VariantRecord>",
    ProductVariantEdge: "../../common/pagination#Edge<VariantRecord>",
    SearchSuggestion: "../store/suggestionStore#Suggestion",
    Review: "../store/records#ReviewRecord",
    ReviewConnection: "../../common/pagination#Connection<ReviewRecord>",
    ReviewEdge: "../../common/pagination#Edge<ReviewRecord>",
    User: "../store/records#UserReference",
  },
  inventory: {
    Product: "../store/records#ProductReference",
    ProductVariant: "../store/records#VariantReference",
    Stock: "../store/records#StockRecord",
    LocationStock: "../store/records#LocationStockRecord",
    StockLocation: "../store/records#StockLocationRecord",
    StockTransfer: "../store/records#StockTransferRecord",
    StockMovement: "../store/records#StockMovementRecord",
    StockMovementConnection: "../../common/pagination#Connection<StockMovementRecord>",
    StockMovementEdge: "../../common/pagination#Edge<StockMovementRecord>",
  },
  orders: {
    Order: "../store/records#OrderRecord",
    OrderItem: "../store/records#OrderItemRecord",
    OrderStatusChange: "../store/records#OrderStatusChangeRecord",
    OrderIncident: "../store/incidentStore#OrderIncidentRecord",
    ShippingAddress: "../store/records#ShippingAddressSnapshot",
    User: "../store/records#UserReference",
    OrderConnection: "../../common/pagination#Connection<OrderRecord>",
    OrderEdge: "../../common/pagination#Edge<OrderRecord>",
    Cart: "../store/records#CartView",
    CartItem: "../store/records#CartLine",
    CartMergeAdjustment: "../domain/cartMerge#MergeAdjustment",
    ProductImage: "../store/records#ImageSnapshot",
    Shipment: "../store/records#OrderRecord",
    Carrier: "../store/records#CarrierRecord",
    Fulfillment: "../store/records#FulfillmentView",
    OrderReturn: "../store/records#ReturnView",
    OrderEdit: "../store/editStore#OrderEditView",
    ExchangeLine: "../store/records#ExchangeLineView",
    ShippingZone: "../store/records#ShippingZoneRecord",
    ShippingMethodSetting: "../store/records#ShippingMethodRecord",
    TaxRateSetting: "../store/records#TaxRateRecord",
    Promotion: "../store/records#PromotionRecord",
  },
  payments: {
    Payment: "../store/records#PaymentRecord",
    Order: "../store/records#OrderReference",
    PaymentAttempt: "../store/records#PaymentAttemptRecord",
    Refund: "../store/records#RefundView",
    User: "../store/records#UserReference",
    PaymentMethod: "../store/records#SavedMethodRecord",
    PaymentMethodConnection: "../../common/pagination#Connection<SavedMethodRecord>",
    PaymentMethodEdge: "../../common/pagination#Edge<SavedMethodRecord>",
  },
  notifications: {
    Notification: "../store/records#NotificationRecord",
    User: "../store/records#UserReference",
    NotificationConnection: "../store/records#NotificationPage",
    NotificationEdge: "../../common/pagination#Edge<NotificationRecord>",
    NotificationPreferences: "../store/records#PreferencesRecord",
    NotificationTemplate: "../store/records#TemplateView",
    NotificationTemplateVersion: "../store/records#TemplateVersionRecord",
    NotificationTemplateVersionConnection: "../../common/pagination#Connection<TemplateVersionRecord>",
    NotificationTemplateVersionEdge: "../../common/pagination#Edge<TemplateVersionRecord>",
  },
};

/**
 * The storefront's typed documents (graphql-codegen's client preset), from the schema clients
 * see: the composed supergraph without federation's internals, as the router serves it.
 */
const storefront: CodegenConfig["generates"] = {
  "storefront/src/generated/": {
    schema: printSchema(loadApiSchema()),
    documents: ["storefront/src/**/*.{ts,tsx}", "!storefront/src/generated/**"],
    preset: "client",
    presetConfig: { fragmentMasking: false },
    config: {
      scalars: { DateTime: "string" },
      enumsAsTypes: true,
      useTypeImports: true,
      avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
    },
  },
};

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  generates: {
    ...storefront,
    ...Object.fromEntries(
      Object.entries(mappers).map(([service, serviceMappers]) => [
        `subgraphs/${service}/generated/graphql.ts`,
        {
          schema: `schema/${service}.graphql`,
          plugins: [
            { add: { content: "/* Generated by graphql-codegen from the SDL: do not edit. */" } },
            "typescript",
            "typescript-resolvers",
          ],
          config: {
            federation: true,
            useIndexSignature: false,
            contextType: "../context#Context",
            mappers: serviceMappers,
            scalars: { DateTime: "Date" },
            enumsAsTypes: true,
            avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
            maybeValue: "T | null",
            inputMaybeValue: "T | null | undefined",
            useTypeImports: true,
            resolverTypeWrapperSignature: "T | Promise<T>",
            optionalResolveType: true,
          },
        },
      ]),
    ),
  },
};

export default config;
