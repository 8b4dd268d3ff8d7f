export type Customer = {
  id: string;
  workspaceId: string;
  externalId: string;
  name: string;
  email: string | null;
  avatar: string | null;
  country: string | null;
  clickId: string | null;
  linkId: string | null;
  clickedAt: number | null;
  sales: number;
  saleAmount: number;
  firstSaleAt: number | null;
  createdAt: number;
  updatedAt: number;
};

export type CustomerDetails = { name?: string | null; email?: string | null; avatar?: string | null };
