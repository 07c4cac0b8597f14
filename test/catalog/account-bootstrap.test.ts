import { testCatalogTemplate } from "./template";

testCatalogTemplate("account-bootstrap");
