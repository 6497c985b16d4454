import { graphql } from "../generated";

export const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      id
      name
      email
    }
  }
`);

export const LoginMutation = graphql(`
  mutation StorefrontLogin($input: LoginInput!) {
    login(input: $input) {
      ...AuthFields
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation StorefrontRegister($input: RegisterInput!) {
    register(input: $input) {
      ...AuthFields
    }
  }
`);

export const RefreshMutation = graphql(`
  mutation StorefrontRefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      ...AuthFields
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation StorefrontLogout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const AddressesQuery = graphql(`
  query StorefrontAddresses {
    me {
      id
      name
      addresses {
        id
        label
        line1
        line2
        city
        region
        postalCode
        country
        isDefault
      }
    }
  }
`);

export const AddAddressMutation = graphql(`
  mutation StorefrontAddAddress($input: AddressInput!) {
    addAddress(input: $input) {
      id
    }
  }
`);

export const RemoveAddressMutation = graphql(`
  mutation StorefrontRemoveAddress($id: ID!) {
    removeAddress(id: $id)
  }
`);
