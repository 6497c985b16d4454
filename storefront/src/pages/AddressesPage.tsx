import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { AddressFields, addressInput, emptyAddress, type AddressValue } from "../components/AddressFields";
import { ErrorNotice, Pending } from "../components/Notice";
import { apiErrors, shopperMessage } from "../lib/errors";
import { AddAddressMutation, AddressesQuery, RemoveAddressMutation } from "../operations/account";
import { useSession } from "../SessionContext";
import { SignInPrompt } from "./SignInPrompt";

export function AddressesPage() {
  const session = useSession();
  const signedIn = session.status === "signedIn";
  const { data, error } = useQuery(AddressesQuery, { skip: !signedIn });
  const [add, addState] = useMutation(AddAddressMutation, {
    refetchQueries: [AddressesQuery],
    awaitRefetchQueries: true,
  });
  const [remove, removeState] = useMutation(RemoveAddressMutation, { refetchQueries: [AddressesQuery] });
  const [address, setAddress] = useState<AddressValue>(emptyAddress);
  const [label, setLabel] = useState("");

  if (session.status === "signedOut") return <SignInPrompt next="/account/addresses" what="manage your addresses" />;
  if (error && !data) return <ErrorNotice error={error} />;
  if (!data) return <Pending label="Loading your addresses…" />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await add({
      variables: { input: { ...addressInput(address), ...(label.trim() ? { label: label.trim() } : {}) } },
    }).catch(() => null);
    if (result?.data) {
      setAddress(emptyAddress);
      setLabel("");
    }
  };

  return (
    <section aria-labelledby="addresses-heading">
      <h1 id="addresses-heading">Saved addresses</h1>
      {data.me.addresses.length === 0 ? <p>No saved addresses yet.</p> : null}
      <ul className="address-list">
        {data.me.addresses.map((each) => (
          <li key={each.id}>
            <address>
              {each.label ? <strong>{each.label}: </strong> : null}
              {[each.line1, each.line2, each.city, each.region, each.postalCode, each.country]
                .filter(Boolean)
                .join(", ")}
              {each.isDefault ? <span className="badge">Default</span> : null}
            </address>
            <button
              type="button"
              disabled={removeState.loading}
              onClick={() => void remove({ variables: { id: each.id } }).catch(() => null)}
            >
              Remove<span className="visually-hidden"> {each.line1}</span>
            </button>
          </li>
        ))}
      </ul>
      {removeState.error ? <ErrorNotice error={removeState.error} /> : null}
      <form onSubmit={(event) => void submit(event)} aria-labelledby="new-address-heading">
        <h2 id="new-address-heading">Add an address</h2>
        <div className="field">
          <label htmlFor="address-label">Label (optional, such as Home)</label>
          <input id="address-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={50} />
        </div>
        <AddressFields
          idPrefix="address"
          value={address}
          onChange={setAddress}
          withName={false}
          errorField={apiErrors(addState.error).find((each) => each.field)?.field}
        />
        {addState.error ? <ErrorNotice>{shopperMessage(addState.error)}</ErrorNotice> : null}
        <button type="submit" className="primary" disabled={addState.loading}>
          Save address
        </button>
      </form>
    </section>
  );
}
